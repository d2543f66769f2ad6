"""Turn a RestApi into one subsettable Dagster multi-asset, one asset per dlt resource."""


from dataclasses import dataclass, field
from typing import Mapping

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    AutomationCondition,
    FreshnessPolicy,
    TableColumn,
    TableSchema,
    multi_asset,
)
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData

from rest_assets.engine.checks import run_table_checks, table_check_specs
from rest_assets.engine.deletions import DELETED_AT, declared_deletion_columns
from rest_assets.engine.run_config import SyncConfig
from rest_assets.engine.source import build_source
from rest_assets.engine.spec import RestApi
from rest_assets.engine.sync import sync_api


@dataclass
class RestApiTranslator(DagsterDltTranslator):
    """Keys `[api, table]`, one group per API, and children depending on their parent.

    dagster-dlt's default makes a child depend on an external `<source>_<parent>` key
    instead of the parent asset. A child follows its parent: when the parent is
    materialized on its own, declarative automation materializes the child.
    """

    api: RestApi = None
    destination: str = "duckdb"
    freshness_policies: Mapping[AssetKey, FreshnessPolicy] = field(default_factory=dict)

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        name = data.resource.name
        endpoint = self.api.endpoints[name]
        parent = endpoint.parent
        table = endpoint.table
        return super().get_asset_spec(data).replace_attributes(
            key=self.api.asset_key(name),
            deps=[self.api.asset_key(parent)] if parent else [],
            group_name=self.api.name,
            description=f"{self.api.description} `{table}` from GET {endpoint.path}"
            + (f", for each row of `{self.api.table_name(parent)}`." if parent else ".")
            + " " + deletions_note(self.api, name),
            kinds={"dlt", self.destination},
            owners=list(self.api.owners),
            tags={"api": self.api.name},
            automation_condition=AutomationCondition.eager() if parent else None,
            freshness_policy=self.freshness_policies.get(self.api.asset_key(name)),
            metadata={
                "endpoint": endpoint.path,
                "primary_key": ", ".join(endpoint.primary_key),
                "write_disposition": str(endpoint.config.get("write_disposition")),
                "deletions": endpoint.deletions,
                **({"dagster/column_schema": declared} if (declared := declared_columns(self.api, name)) else {}),
            },
        )


def deletions_note(api: RestApi, resource_name: str) -> str:
    """What happens here to a row the API stops listing (engine/deletions.py)."""
    endpoint = api.endpoints[resource_name]
    mode = endpoint.deletions
    if mode == "history":
        return ("Every version of each row is kept (dlt scd2): current rows are those where `_dlt_valid_to` is null; "
                "a row changed or no longer listed upstream gets `_dlt_valid_to`.")
    if not endpoint.complete_listing:
        return ("Read incrementally, so rows deleted upstream are not seen: run with `full_refresh: true` "
                "to remove them.")
    return {
        "soft": f"Rows deleted upstream stay with `{DELETED_AT}` set: current rows are those where "
                f"`{DELETED_AT}` is null.",
        "hard": "Rows deleted upstream are removed at the next sync.",
        "keep": "Rows deleted upstream are kept as they were last seen.",
    }[mode]


def declared_columns(api: RestApi, resource_name: str) -> "TableSchema | None":
    """Columns the configuration documents, shown in the UI before the first load."""
    endpoint = api.endpoints[resource_name]
    hints = {**endpoint.columns, **declared_deletion_columns(endpoint)}
    if not hints:
        return None
    return TableSchema(
        columns=[
            TableColumn(name=api.column_name(column), type=hint.get("data_type", "unknown"), description=hint.get("description"))
            for column, hint in hints.items()
        ]
    )


def concurrency_pool(api: RestApi) -> str:
    """One run of an API at a time: a second one waits for the pool (limit set in dagster.yaml)."""
    return f"{api.name}_api"


def build_api_assets(
    api: RestApi, destination: str = "duckdb", freshness_policies: Mapping[AssetKey, FreshnessPolicy] | None = None
) -> AssetsDefinition:
    translator = RestApiTranslator(api=api, destination=destination, freshness_policies=freshness_policies or {})
    source = build_source(api)
    specs = [
        translator.get_asset_spec(DltResourceTranslatorData(resource=resource, pipeline=None))
        for resource in source.resources.values()
    ]

    @multi_asset(
        name=f"{api.name}_sync",
        specs=specs,
        check_specs=table_check_specs(api),
        can_subset=True,
        required_resource_keys={api.resource_key, "warehouse"},
        pool=concurrency_pool(api),
    )
    def _sync(context: AssetExecutionContext, config: SyncConfig):
        if context.selected_asset_keys:
            yield from sync_api(
                context, api, getattr(context.resources, api.resource_key), context.resources.warehouse, config
            )
        else:
            yield from run_table_checks(api, context.resources.warehouse, context.selected_asset_check_keys)

    return _sync
