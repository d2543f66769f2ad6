"""A sync's report as Dagster shows it: one materialization per asset, with its table's figures."""

from __future__ import annotations

from typing import Iterator, Mapping

from dagster import AssetKey, MaterializeResult, MetadataValue

from rest_assets.engine.declaration import Endpoint, RestApi
from rest_assets.engine.deletions import DeletionMode
from rest_assets.engine.report import SyncReport, TableFigures, TableReport
from rest_assets.orchestration.columns import column_schema


def materializations(api: RestApi, report: SyncReport, keys: Mapping[str, AssetKey]) -> Iterator[MaterializeResult]:
    """A MaterializeResult per asset of the report's tables (the first resource of a table shared by several)."""
    done: set[AssetKey] = set()
    for name, table in report.tables.items():
        if keys[name] not in done:
            done.add(keys[name])
            yield MaterializeResult(asset_key=keys[name], metadata=table_metadata(report, table, api.endpoints[name]))


def table_metadata(report: SyncReport, table: TableReport, endpoint: Endpoint) -> dict:
    figures = table.figures
    return {
        "dagster/row_count": MetadataValue.int(figures.current_rows),
        **not_current_rows(figures, endpoint.deletions),
        **({"dagster/table_name": table.qualified_name} if table.qualified_name else {}),
        "dagster/column_schema": column_schema(table.columns),
        # Each nested table's columns under its own name, as dagster-dlt records them.
        **{nested: column_schema(columns) for nested, columns in table.nested_tables.items()},
        "rows_loaded": MetadataValue.int(table.rows_loaded),
        "rows_deleted": MetadataValue.int(table.rows_deleted),
        "deletions": table.deletions,
        "full_refresh": report.full_refresh,
        **({"start_from": report.start_from} if report.start_from and endpoint.incremental else {}),
        "pages_fetched": MetadataValue.int(table.pages),
        "retries": MetadataValue.int(table.retries),
        "dlt_load_id": ", ".join(report.load_ids),
        "schema_changes": MetadataValue.json(list(table.schema_changes)),
        "endpoint": endpoint.path,
        "duration_seconds": report.duration_seconds,
        "cpu_seconds": MetadataValue.json(dict(report.cpu_seconds)),
        **({"incremental_cursor": str(table.cursor)} if table.cursor is not None else {}),
    }


def not_current_rows(figures: TableFigures, mode: DeletionMode) -> dict[str, MetadataValue]:
    """The rows a table keeps that are no longer current, under what its mode makes of them."""
    if figures.not_current is None:
        return {}
    return {"rows_retired" if mode.keeps_versions else "rows_soft_deleted": MetadataValue.int(figures.not_current)}
