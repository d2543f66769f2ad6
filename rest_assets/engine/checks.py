"""Table checks of every asset, run in the API's own step (right after its load, or on their own).

They are `check_specs` of the API's multi-asset rather than separate check ops: a
separate op is one more process per API in every run, for two queries.
"""

from __future__ import annotations

from typing import AbstractSet, Iterator

from dagster import AssetCheckKey, AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, MetadataValue

from rest_assets.engine.deletions import DELETED_AT, VALID_TO, current_rows_column, row_counts
from rest_assets.engine.declaration import RestApi
from rest_assets.engine.warehouse import Warehouse

PRIMARY_KEY_CHECK = "primary_key_unique_and_not_null"
ROW_COUNT_CHECK = "row_count"


def primary_key_columns(api: RestApi, resource_name: str) -> list[str]:
    return [api.column_name(field) for field in api.endpoints[resource_name].primary_key]


def table_check_specs(api: RestApi) -> list[AssetCheckSpec]:
    """Per asset: its primary key is unique and never null, and its row count is recorded.

    The key check blocks: a duplicate or null key fails the run (after its loads are recorded) and
    holds back what depends on the table, as children's automation waits for it to pass again.
    """
    return [
        spec
        for name in api.resource_names
        for spec in (
            *([AssetCheckSpec(PRIMARY_KEY_CHECK, asset=api.asset_key(name), blocking=True,
                              description=f"{', '.join(primary_key_columns(api, name))} is unique and never null"
                              + (" among current rows" if api.endpoints[name].deletions == "history" else "")
                              + ". Blocking: a failure fails the run and holds back the assets that depend on this one.")]
              if primary_key_columns(api, name) else []),  # a resource without a key has nothing to check
            AssetCheckSpec(ROW_COUNT_CHECK, asset=api.asset_key(name), description=row_count_description(api, name)),
        )
    ]


def row_count_description(api: RestApi, resource_name: str) -> str:
    return {
        DELETED_AT: f"Current rows in the table; soft-deleted rows ({DELETED_AT} set) are counted beside them.",
        VALID_TO: f"Current rows in the table; retired versions ({VALID_TO} set) are counted beside them.",
    }.get(current_rows_column(api.endpoints[resource_name]), "Rows in the table.")


def run_table_checks(api: RestApi, warehouse: Warehouse, check_keys: AbstractSet[AssetCheckKey]) -> Iterator[AssetCheckResult]:
    """The checks on their own (no asset selected), on a client of their own."""
    if not check_keys:
        return
    with warehouse.sql_client(api.name) as client:
        yield from table_check_results(api, warehouse, client, check_keys)


def table_check_results(api: RestApi, warehouse: Warehouse, client, check_keys: AbstractSet[AssetCheckKey]) -> list[AssetCheckResult]:
    """Evaluate the selected checks with an open SQL client on the API's dataset."""
    existing = warehouse.existing_tables(client) if check_keys else set()
    results = []
    for check_key in sorted(check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        name = next(n for n in api.resource_names if api.asset_key(n) == check_key.asset_key)
        table = api.table_name(name)
        if table not in existing:
            results.append(AssetCheckResult(check_name=check_key.name, asset_key=check_key.asset_key, passed=True,
                                            metadata={"note": "no rows loaded yet"}))
        elif check_key.name == ROW_COUNT_CHECK:
            current, not_current = row_counts(client, api.endpoints[name])
            results.append(AssetCheckResult(check_name=ROW_COUNT_CHECK, asset_key=check_key.asset_key, passed=True,
                                            metadata={"row_count": MetadataValue.int(current),
                                                      **{k: MetadataValue.int(v) for k, v in not_current.items()}}))
        else:
            results.append(_primary_key_result(client, api, name, client.make_qualified_table_name(table)))
    return results


def _primary_key_result(client, api: RestApi, resource_name: str, table: str) -> AssetCheckResult:
    columns = primary_key_columns(api, resource_name)
    key = ", ".join(columns)
    nulls = " or ".join(f"{c} is null" for c in columns)
    # A history table holds every version of a row; the key is unique among the current ones.
    # (Soft-deleted rows keep their key, so it stays unique over all rows.)
    current = f" where {VALID_TO} is null" if api.endpoints[resource_name].deletions == "history" else ""
    duplicates, null_keys = client.execute_sql(
        f"select count(*) - count(distinct ({key})), count(*) filter (where {nulls}) from {table}{current}"
    )[0]
    return AssetCheckResult(
        check_name=PRIMARY_KEY_CHECK,
        asset_key=api.asset_key(resource_name),
        passed=duplicates == 0 and null_keys == 0,
        severity=AssetCheckSeverity.ERROR,
        metadata={"duplicate_keys": MetadataValue.int(duplicates), "null_keys": MetadataValue.int(null_keys)},
    )
