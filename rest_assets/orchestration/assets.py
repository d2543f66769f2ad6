"""Turn a RestApi into one subsettable Dagster multi-asset, one asset per dlt resource."""


from typing import Mapping

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    AutomationCondition,
    FreshnessPolicy,
    TableSchema,
    multi_asset,
)

from rest_assets.engine.checks import run_table_checks, table_check_specs
from rest_assets.engine.columns import column_schema
from rest_assets.engine.deletions import DELETED_AT, declared_deletion_columns
from rest_assets.engine.run_config import SyncConfig
from rest_assets.engine.declaration import Endpoint, RestApi
from rest_assets.engine.sync import sync_api
from rest_assets.engine.warehouse import Warehouse


def asset_spec(
    api: RestApi, endpoint: Endpoint, destination: str, table_name: str | None, freshness_policy: FreshnessPolicy | None
) -> AssetSpec:
    """One resource's asset: key `[api, table]`, one group per API, and a child depending on its parent.

    A child follows its parent: when the parent is materialized on its own, declarative
    automation materializes the child, once the parent's primary-key check has passed. (The
    spec comes from the normalized declaration: dagster-dlt's translator wants a built dlt
    source, 0.06 s per API at every definitions load, and left no field of its own standing
    here.) The table's name and declared columns are on the definition, so the UI shows them
    before the first run.
    """
    parent = api.asset_parent(endpoint.name)
    return AssetSpec(
        key=endpoint.asset_key,
        deps=[api.asset_key(parent)] if parent else [],
        group_name=api.name,
        description=asset_description(api, endpoint),
        kinds={"dlt", destination},
        owners=list(api.owners),
        tags={"api": api.name},
        automation_condition=follows_parent() if parent else None,
        freshness_policy=freshness_policy,
        metadata={
            "endpoint": endpoint.path,
            "primary_key": ", ".join(endpoint.primary_key),
            "write_disposition": str(endpoint.config.get("write_disposition")),
            "deletions": endpoint.deletions,
            # Dagster's table keys (its TableMetadataSet is not public API in this version).
            **({"dagster/table_name": table_name} if table_name else {}),
            **({"dagster/column_schema": declared} if (declared := declared_columns(api, endpoint)) else {}),
        },
    )


def follows_parent() -> AutomationCondition:
    """Materialize a child after its parent updates, unless the parent's blocking checks failed:
    a workspace table with broken keys must not be joined to workers that look fresh."""
    return (AutomationCondition.eager() & AutomationCondition.all_deps_blocking_checks_passed()).with_label(
        "eager, after the parent's blocking checks pass")


def asset_description(api: RestApi, endpoint: Endpoint) -> str:
    """What the asset is, first and in plain text: the catalog shows the start of each description
    unrendered, where the API's own sentence made all of an API's assets read alike. Then the API,
    and what happens to rows deleted upstream (Markdown, rendered on the asset's page)."""
    method = endpoint.config["endpoint"].get("method") or "GET"
    what = f"{endpoint.table.replace('_', ' ').capitalize()} of the {api.name} API: {method} {endpoint.path}"
    if parent := api.asset_parent(endpoint.name):
        what += f", for each row of {api.asset_key(parent).to_user_string()}"
    elif endpoint.parent:  # a parent read only to feed its children (dlt's `selected: false`)
        what += f", for each record of its {endpoint.parent} resource"
    return "\n\n".join(part for part in (f"{what}.", api.description, deletions_note(endpoint)) if part)


def deletions_note(endpoint: Endpoint) -> str:
    """What happens here to a row the API stops listing (engine/deletions.py)."""
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


def declared_columns(api: RestApi, endpoint: Endpoint) -> "TableSchema | None":
    """Columns the configuration documents (dlt column hints), with the engine's own."""
    hints = {**endpoint.columns, **declared_deletion_columns(endpoint)}
    if not hints:
        return None
    return column_schema(
        {**hint, "name": api.column_name(field), **({"primary_key": True} if field in endpoint.primary_key else {})}
        for field, hint in hints.items()
    )


def concurrency_pool(api: RestApi) -> str:
    """One run of an API at a time: a second one waits for the pool (limit set in dagster.yaml)."""
    return f"{api.name}_api"


def build_api_assets(
    api: RestApi, warehouse: Warehouse, freshness_policies: Mapping[AssetKey, FreshnessPolicy] | None = None
) -> AssetsDefinition:
    freshness_policies = freshness_policies or {}
    table_names = warehouse.table_names(api.name, [api.table_name(name) for name in api.resource_names])
    specs = [
        asset_spec(api, endpoint, warehouse.destination, table_names.get(endpoint.table),
                   freshness_policies.get(endpoint.asset_key))
        for endpoint in map(api.endpoints.get, api.resource_names)
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
            credentials = getattr(context.resources, api.resource_key).credentials()
            yield from sync_api(context, api, credentials, context.resources.warehouse, config)
        else:
            yield from run_table_checks(api, context.resources.warehouse, context.selected_asset_check_keys)

    return _sync
