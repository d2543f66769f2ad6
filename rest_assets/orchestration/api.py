"""One API's definitions: what `RestApiComponent` builds from an API's declaration."""

from __future__ import annotations

from dagster import Definitions

from rest_assets.engine.declaration import RestApi
from rest_assets.engine.warehouse import Warehouse
from rest_assets.orchestration.assets import build_api_assets
from rest_assets.orchestration.credentials import ApiCredentials
from rest_assets.orchestration.freshness import freshness_policies
from rest_assets.orchestration.schedules import build_schedule, planned_syncs
from rest_assets.orchestration.sensors import build_change_sensors


def api_definitions(api: RestApi) -> Definitions:
    """The API's multi-asset (with its table checks and freshness), credentials resource, jobs and
    schedules, and a change sensor per incremental resource."""
    syncs = planned_syncs([api])
    return Definitions(
        assets=[build_api_assets(api, Warehouse.from_env(), freshness_policies(syncs))],
        schedules=[build_schedule(sync) for sync in syncs],
        sensors=build_change_sensors([api]),
        resources={api.resource_key: ApiCredentials.of(api)},
    )
