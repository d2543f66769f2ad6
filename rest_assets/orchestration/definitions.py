"""Assemble every API's assets, resources, jobs, schedules, sensors and checks into one Definitions."""

from __future__ import annotations

from typing import Sequence

from dagster import Definitions

from rest_assets.apis import load_apis
from rest_assets.engine.assets import build_api_assets
from rest_assets.engine.spec import RestApi
from rest_assets.engine.warehouse import Warehouse
from rest_assets.orchestration.executor import executor_from_env
from rest_assets.orchestration.freshness import freshness_policies
from rest_assets.orchestration.schedules import build_schedule, planned_syncs
from rest_assets.orchestration.sensors import (
    build_automation_sensor,
    build_change_sensors,
    build_failure_alerts,
)


def build_definitions(apis: Sequence[RestApi] | None = None) -> Definitions:
    """Build the definitions from the API configurations (all of them by default) and the environment.

    Secrets are `EnvVar`s resolved when a run starts, so this needs no credentials.
    """
    apis = load_apis() if apis is None else list(apis)
    syncs = planned_syncs(apis)
    warehouse = Warehouse.from_env()
    freshness = freshness_policies(syncs)
    return Definitions(
        assets=[build_api_assets(api, warehouse.destination, freshness) for api in apis],
        schedules=[build_schedule(sync) for sync in syncs],
        sensors=[
            *build_change_sensors(apis),
            build_automation_sensor(),
            build_failure_alerts(apis),
        ],
        resources={"warehouse": warehouse, **{api.resource_key: api.connection for api in apis}},
        executor=executor_from_env(len(apis)),
    )
