"""Turn a RestApi into one subsettable Dagster multi-asset, one asset per table its resources land."""

from typing import Callable, Iterator, Mapping, Union

from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    multi_asset,
)

from rest_assets.engine.checks import count_tables
from rest_assets.engine.declaration import RestApi
from rest_assets.engine.errors import SyncFailed
from rest_assets.engine.sync import sync
from rest_assets.orchestration.checks import check_results, table_check_specs
from rest_assets.orchestration.resources import ApiCredentials, WarehouseResource
from rest_assets.orchestration.results import materializations
from rest_assets.orchestration.run_config import SyncConfig
from rest_assets.orchestration.translator import first_resource_of_each_asset

SyncEvent = Union[MaterializeResult, AssetCheckResult]
# What the multi-asset runs (`RestApiComponent.execute`): the step's context, its two resources, its run config.
Execute = Callable[[AssetExecutionContext, WarehouseResource, ApiCredentials, SyncConfig], Iterator[SyncEvent]]


def build_api_assets(api: RestApi, specs: Mapping[str, AssetSpec], execute: Execute) -> AssetsDefinition:
    """The API's multi-asset: `specs` by resource (one asset each table), their checks, and `execute` as its body.

    It runs in the pool `<api>_api`, named like the API's credentials: one run of an API at a time
    (a second one waits for the pool; the limit is set in dagster.yaml).
    """
    keys = {name: spec.key for name, spec in specs.items()}

    @multi_asset(
        name=f"{api.name}_sync",
        specs=[specs[name] for name in first_resource_of_each_asset(keys)],
        check_specs=table_check_specs(api, keys),
        can_subset=True,
        required_resource_keys={api.resource_key, "warehouse"},
        pool=api.resource_key,
    )
    def _sync(context: AssetExecutionContext, config: SyncConfig):
        yield from execute(context, context.resources.warehouse, getattr(context.resources, api.resource_key), config)

    return _sync


def sync_assets(
    api: RestApi, keys: Mapping[str, AssetKey], context: AssetExecutionContext, warehouse: WarehouseResource,
    credentials: ApiCredentials, config: SyncConfig,
) -> Iterator[SyncEvent]:
    """Sync the selected assets (`keys`: each resource's), yielding a materialization per asset and the selected
    checks' results; with checks selected alone, count their tables instead."""
    selected = [name for name, key in keys.items() if key in context.selected_asset_keys]
    if not selected:  # the table checks alone
        checked = {key.asset_key for key in context.selected_asset_check_keys}
        figures = count_tables(api, [n for n, key in keys.items() if key in checked], warehouse, context.log)
        yield from check_results(keys, figures, context.selected_asset_check_keys)
        return
    try:
        report = sync(api, selected, credentials.credentials(), warehouse, context.run.run_id, config, context.log)
    except SyncFailed as failed:
        raise Failure(description=str(failed)) from failed.__cause__
    yield from materializations(api, report, keys)
    yield from check_results(keys, {n: t.figures for n, t in report.tables.items()}, context.selected_asset_check_keys)
