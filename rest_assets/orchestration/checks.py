"""Asset checks generated from each API's configuration."""


import warnings
from contextlib import contextmanager
from typing import Iterator, Sequence

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetChecksDefinition,
    MetadataValue,
    build_last_update_freshness_checks,
    multi_asset_check,
)

from rest_assets.engine.spec import RestApi
from rest_assets.engine.warehouse import Warehouse
from rest_assets.orchestration.schedules import PlannedSync

PRIMARY_KEY_CHECK = "primary_key_unique_and_not_null"
ROW_COUNT_CHECK = "row_count"


def primary_key_columns(api: RestApi, resource_name: str) -> list[str]:
    key = api.setting(resource_name, "primary_key")
    return [api.column_name(column) for column in ([key] if isinstance(key, str) else key)]


def build_table_checks(api: RestApi) -> AssetChecksDefinition:
    """Per asset: its primary key is unique and never null, and its row count is recorded."""
    specs = [
        spec
        for name in api.resource_names
        for spec in (
            AssetCheckSpec(PRIMARY_KEY_CHECK, asset=api.asset_key(name),
                           description=f"{', '.join(primary_key_columns(api, name))} is unique and never null."),
            AssetCheckSpec(ROW_COUNT_CHECK, asset=api.asset_key(name), description="Rows in the table."),
        )
    ]

    @multi_asset_check(name=f"{api.name}_table_checks", specs=specs, can_subset=True, required_resource_keys={"warehouse"})
    def _checks(context: AssetCheckExecutionContext) -> Iterator[AssetCheckResult]:
        warehouse: Warehouse = context.resources.warehouse
        with warehouse.sql_client(api.name) as client:
            existing = {row[0] for row in client.execute_sql(
                "select table_name from information_schema.tables where table_schema = %s", api.name
            )}
            for check_key in context.selected_asset_check_keys:
                name = next(n for n in api.resource_names if api.asset_key(n) == check_key.asset_key)
                table = api.table_name(name)
                qualified = client.make_qualified_table_name(table)
                if table not in existing:
                    yield AssetCheckResult(check_name=check_key.name, asset_key=check_key.asset_key, passed=True,
                                           metadata={"note": "no rows loaded yet"})
                elif check_key.name == ROW_COUNT_CHECK:
                    rows = client.execute_sql(f"select count(*) from {qualified}")[0][0]
                    yield AssetCheckResult(check_name=ROW_COUNT_CHECK, asset_key=check_key.asset_key, passed=True,
                                           metadata={"row_count": MetadataValue.int(rows)})
                else:
                    yield _primary_key_result(client, api, name, qualified)

    return _checks


def _primary_key_result(client, api: RestApi, resource_name: str, table: str) -> AssetCheckResult:
    columns = primary_key_columns(api, resource_name)
    key = ", ".join(columns)
    nulls = " or ".join(f"{c} is null" for c in columns)
    duplicates, null_keys = client.execute_sql(
        f"select count(*) - count(distinct ({key})), count(*) filter (where {nulls}) from {table}"
    )[0]
    return AssetCheckResult(
        check_name=PRIMARY_KEY_CHECK,
        asset_key=api.asset_key(resource_name),
        passed=duplicates == 0 and null_keys == 0,
        severity=AssetCheckSeverity.ERROR,
        metadata={"duplicate_keys": MetadataValue.int(duplicates), "null_keys": MetadataValue.int(null_keys)},
    )


def build_freshness_checks(syncs: Sequence[PlannedSync]) -> list[AssetChecksDefinition]:
    """Each asset must have been updated within 1.5 schedule intervals at every tick of its fastest schedule.

    Half an interval of slack lets the run started at the previous tick finish.
    """
    fastest = {}
    for sync in sorted(syncs, key=lambda s: s.interval, reverse=True):
        for key in sync.asset_keys:
            fastest[key] = sync
    checks = []
    for sync in {id(s): s for s in fastest.values()}.values():
        keys = [key for key, chosen in fastest.items() if chosen is sync]
        with quiet_supersession():
            checks += build_last_update_freshness_checks(
                assets=keys,
                lower_bound_delta=sync.interval * 1.5,
                deadline_cron=sync.schedule.cron,
                timezone=sync.timezone,
            )
    return checks


@contextmanager
def quiet_supersession() -> Iterator[None]:
    """Dagster 1.13 prefers FreshnessPolicy, which yields no asset check; we want freshness as a check."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is superseded.*")
        yield
