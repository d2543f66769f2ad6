"""Turn a RestApi into one subsettable Dagster multi-asset, one asset per table its resources land."""

from typing import Callable, Iterable, Mapping, Optional

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, AssetSpec, Failure, multi_asset
from dagster_dlt.translator import DltResourceTranslatorData

from rest_assets.engine.checks import count_tables
from rest_assets.engine.declaration import RestApi
from rest_assets.engine.errors import SyncFailed
from rest_assets.engine.sync import sync
from rest_assets.orchestration.checks import check_results, table_check_specs
from rest_assets.orchestration.results import materializations
from rest_assets.orchestration.run_config import SyncConfig
from rest_assets.orchestration.translator import RestApiTranslator, described_resources

# dagster-dlt's form of a user's adjustment: the spec the translator made, and the resource's data.
Translation = Callable[[AssetSpec, DltResourceTranslatorData], AssetSpec]


def asset_specs(api: RestApi, translator: RestApiTranslator, translation: Optional[Translation] = None) -> dict[str, AssetSpec]:
    """Each resource's spec, from the translator given the resource's described dlt resource, then `translation`.

    A parent's key, changed by the translation, is followed by its children's deps. Resources
    that land one table share its spec (the first one's).
    """
    specs = {}
    for name, resource in described_resources(api).items():
        data = DltResourceTranslatorData(resource=resource, pipeline=None)
        spec = translator.get_asset_spec(data)
        specs[name] = translation(spec, data) if translation else spec
    renamed = {translator.asset_key(api.endpoints[name]): spec.key for name, spec in specs.items()}
    return {name: spec.replace_attributes(deps=[renamed.get(dep.asset_key, dep.asset_key) for dep in spec.deps])
            for name, spec in specs.items()}


def unique_specs(specs: Iterable[AssetSpec]) -> list[AssetSpec]:
    """One spec per asset: the first of the resources that land one table."""
    first: dict[AssetKey, AssetSpec] = {}
    for spec in specs:
        first.setdefault(spec.key, spec)
    return list(first.values())


def concurrency_pool(api: RestApi) -> str:
    """One run of an API at a time: a second one waits for the pool (limit set in dagster.yaml)."""
    return f"{api.name}_api"


def build_api_assets(api: RestApi, specs: Mapping[str, AssetSpec]) -> AssetsDefinition:
    keys = {name: spec.key for name, spec in specs.items()}

    @multi_asset(
        name=f"{api.name}_sync",
        specs=unique_specs(specs.values()),
        check_specs=table_check_specs(api, keys),
        can_subset=True,
        required_resource_keys={api.resource_key, "warehouse"},
        pool=concurrency_pool(api),
    )
    def _sync(context: AssetExecutionContext, config: SyncConfig):
        warehouse = context.resources.warehouse
        selected = [name for name, key in keys.items() if key in context.selected_asset_keys]
        if not selected:  # the table checks alone
            checked = {key.asset_key for key in context.selected_asset_check_keys}
            figures = count_tables(api, [n for n, key in keys.items() if key in checked], warehouse, context.log)
            yield from check_results(keys, figures, context.selected_asset_check_keys)
            return
        credentials = getattr(context.resources, api.resource_key).credentials()
        try:
            report = sync(api, selected, credentials, warehouse, context.run.run_id, config.restatement(), context.log)
        except SyncFailed as failed:
            raise Failure(description=str(failed)) from failed.__cause__
        yield from materializations(api, report, keys)
        yield from check_results(keys, {n: t.figures for n, t in report.tables.items()}, context.selected_asset_check_keys)

    return _sync
