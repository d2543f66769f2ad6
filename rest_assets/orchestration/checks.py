"""Table checks of every asset, evaluated in the API's own step from the engine's figures.

They are `check_specs` of the API's multi-asset rather than separate check ops: a separate op is
one more process per API in every run, for two queries. The engine counts (engine/checks.py);
this decides what passes and how the UI shows it.
"""

from __future__ import annotations

from typing import AbstractSet, Mapping

from dagster import AssetCheckKey, AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey

from rest_assets.engine.declaration import RestApi
from rest_assets.engine.report import TableFigures
from rest_assets.orchestration.metadata import check_metadata
from rest_assets.orchestration.translator import first_resource_of_each_asset

PRIMARY_KEY_CHECK = "primary_key_unique_and_not_null"


def table_check_specs(api: RestApi, keys: Mapping[str, AssetKey]) -> list[AssetCheckSpec]:
    """Per asset with a primary key: the key is unique and never null.

    The check blocks: a duplicate or null key fails the run (after its loads are recorded) and
    holds back what depends on the table, as children's automation waits for it to pass again.
    The table's row counts are not a check: they never fail, and every materialization records
    them (`dagster/row_count`, beside it `rows_soft_deleted` or `rows_retired`).
    """
    specs = []
    for name, key in first_resource_of_each_asset(keys).items():
        endpoint = api.endpoints[name]
        if columns := endpoint.key_columns:  # a resource without a key has nothing to check
            among = " among current rows" if endpoint.deletions.keys_unique_among() else ""
            specs.append(AssetCheckSpec(
                PRIMARY_KEY_CHECK, asset=key, blocking=True,
                description=f"{', '.join(columns)} is unique and never null{among}. Blocking: a failure fails "
                "the run and holds back the assets that depend on this one."))
    return specs


def check_results(
    keys: Mapping[str, AssetKey], figures: Mapping[str, TableFigures], check_keys: AbstractSet[AssetCheckKey]
) -> list[AssetCheckResult]:
    """The selected checks' results, from each resource's table figures."""
    figures_of = {keys[name]: table for name, table in figures.items()}
    results = []
    for check_key in sorted(check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        table = figures_of.get(check_key.asset_key)
        if table is None:
            continue
        unique_keys = not table.exists or (table.duplicate_keys == 0 and table.null_keys == 0)  # no rows yet: passes
        results.append(AssetCheckResult(check_name=check_key.name, asset_key=check_key.asset_key, passed=unique_keys,
                                        severity=AssetCheckSeverity.ERROR, metadata=check_metadata(table)))
    return results
