"""One API's definitions: what `RestApiComponent` builds from an API's declaration."""

from __future__ import annotations

from functools import partial
from typing import Optional

from dagster import Definitions

from rest_assets.engine.declaration import RestApi
from rest_assets.orchestration.assets import Execute, build_api_assets, sync_assets
from rest_assets.orchestration.freshness import freshness_policies
from rest_assets.orchestration.resources import ApiCredentials, WarehouseResource
from rest_assets.orchestration.schedules import build_schedules, planned_syncs
from rest_assets.orchestration.sensors import build_change_sensors
from rest_assets.orchestration.translator import RestApiTranslator


def api_definitions(
    api: RestApi, translator: Optional[RestApiTranslator] = None, execute: Optional[Execute] = None
) -> Definitions:
    """The API's multi-asset (with its table checks and freshness), credentials resource, jobs and
    schedules, and a change sensor per incremental resource.

    `translator`: the asset specs' translator (`translator_for(api, MyTranslator)` for a subclass);
    `execute`: the multi-asset's body (`RestApiComponent.execute`), by default `sync_assets`.
    """
    syncs = planned_syncs([api])
    translator = translator or translator_for(api)
    specs = {name: translator.spec(name) for name in api.resource_names}
    keys = {name: spec.key for name, spec in specs.items()}
    assets = build_api_assets(api, specs, execute or partial(sync_assets, api, keys))
    credentials = {api.resource_key: ApiCredentials.of(api)}
    return Definitions(
        assets=[assets],
        schedules=build_schedules(syncs, keys, assets, {**credentials, "warehouse": WarehouseResource.from_env()}),
        sensors=build_change_sensors(api, keys),
        resources=credentials,
    )


def translator_for(api: RestApi, translator_class: type[RestApiTranslator] = RestApiTranslator) -> RestApiTranslator:
    """A translator of the API's specs: the warehouse's table names (read from the settings now), the
    freshness policies of its schedules."""
    warehouse = WarehouseResource.from_env()
    table_names = warehouse.table_names(api.name, [api.table_name(name) for name in api.resource_names])
    return translator_class(api, warehouse.destination, table_names, freshness_policies(planned_syncs([api])))
