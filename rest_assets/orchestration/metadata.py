"""The metadata the project writes on its assets, materializations and checks, and reads back.

Each key is spelled here once, with one meaning. A table's facts are Dagster's own
`TableMetadataSet` (`dagster/table_name`, `dagster/column_schema`, `dagster/row_count`,
`dagster/storage_kind`), as dagster-dlt records them, so Dagster's catalog and search read them;
the project's own keys are the names below. Tables dlt makes of a record's lists
(`invoices__line_items`) have their columns under their own names, as dagster-dlt records them.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from dagster import MetadataValue, TableColumn, TableColumnConstraints, TableSchema

# Dagster does not export its metadata sets at the top level; dagster-dlt imports this one from here too.
from dagster._core.definitions.metadata import TableMetadataSet

from rest_assets.engine.declaration import Endpoint, RestApi
from rest_assets.engine.deletions import DeletionMode
from rest_assets.engine.report import SyncReport, TableFigures, TableReport

# On each asset's definition: the declaration.
ENDPOINT = "endpoint"  # the resource's path (on each materialization too)
PRIMARY_KEY = "primary_key"
WRITE_DISPOSITION = "write_disposition"
DELETIONS = "deletions"  # the mode declared: what happens to a row the API stops listing

# On each materialization: what the sync did.
ROWS_LOADED = "rows_loaded"
ROWS_DELETED = "rows_deleted"  # rows this sync marked, removed or retired as no longer listed
ROWS_SOFT_DELETED = "rows_soft_deleted"  # rows kept with `_deleted_at` set, beside the current ones
ROWS_RETIRED = "rows_retired"  # versions no longer current, on a table of versions
# What this sync did to rows no longer listed: the declared mode, `keep` where it read a window,
# `replace` for a full refresh (a name of its own: on the definition, `deletions` is the declared mode).
DELETIONS_APPLIED = "deletions_applied"
FULL_REFRESH = "full_refresh"
START_FROM = "start_from"  # on incremental resources, where the sync restated from a moment
PAGES_FETCHED = "pages_fetched"
RETRIES = "retries"
DLT_LOAD_ID = "dlt_load_id"
SCHEMA_CHANGES = "schema_changes"
DURATION_SECONDS = "duration_seconds"
CPU_SECONDS = "cpu_seconds"  # by dlt step: extract, normalize, load
INCREMENTAL_CURSOR = "incremental_cursor"  # the cursor the sync saved; the change sensor reads it back

# On each primary-key check result.
DUPLICATE_KEYS = "duplicate_keys"
NULL_KEYS = "null_keys"
NOTE = "note"


def definition_metadata(dlt_metadata: Mapping[str, Any], endpoint: Endpoint, table_name: str | None) -> dict[str, Any]:
    """An asset's definition metadata: dagster-dlt's, the declaration's, and the table's name and declared columns.

    dagster-dlt names the table by dlt's name alone: the database's full name (`table_name`)
    replaces it, and where the catalog is unknown (credentials unset) no name beats a partial one.
    """
    table = TableMetadataSet.extract(dlt_metadata)
    return {
        **{key: value for key, value in dlt_metadata.items() if key not in table.keys()},
        ENDPOINT: endpoint.path,
        PRIMARY_KEY: ", ".join(endpoint.primary_key),
        WRITE_DISPOSITION: str(endpoint.config.get("write_disposition")),
        DELETIONS: endpoint.deletions.name,
        **table.model_copy(update={"table_name": table_name, "column_schema": declared_columns(endpoint)}),
    }


def materialization_metadata(report: SyncReport, table: TableReport, endpoint: Endpoint) -> dict[str, Any]:
    """What a materialization records: the table's figures after the sync, and what the sync did."""
    figures = table.figures
    return {
        **TableMetadataSet(row_count=figures.current_rows, table_name=table.qualified_name,
                           column_schema=column_schema(table.columns)),
        **not_current_rows(figures, endpoint.deletions),
        **{nested: column_schema(columns) for nested, columns in table.nested_tables.items()},
        ROWS_LOADED: MetadataValue.int(table.rows_loaded),
        ROWS_DELETED: MetadataValue.int(table.rows_deleted),
        DELETIONS_APPLIED: table.deletions,
        FULL_REFRESH: report.full_refresh,
        **({START_FROM: report.start_from} if report.start_from and endpoint.incremental else {}),
        PAGES_FETCHED: MetadataValue.int(table.pages),
        RETRIES: MetadataValue.int(table.retries),
        DLT_LOAD_ID: ", ".join(report.load_ids),
        SCHEMA_CHANGES: MetadataValue.json(list(table.schema_changes)),
        ENDPOINT: endpoint.path,
        DURATION_SECONDS: report.duration_seconds,
        CPU_SECONDS: MetadataValue.json(dict(report.cpu_seconds)),
        **({INCREMENTAL_CURSOR: str(table.cursor)} if table.cursor is not None else {}),
    }


def not_current_rows(figures: TableFigures, mode: DeletionMode) -> dict[str, MetadataValue]:
    """The rows a table keeps that are no longer current, under what its mode makes of them."""
    if figures.not_current is None:
        return {}
    return {ROWS_RETIRED if mode.keeps_versions else ROWS_SOFT_DELETED: MetadataValue.int(figures.not_current)}


def check_metadata(figures: TableFigures) -> dict[str, Any]:
    """What a primary-key check result records."""
    if not figures.exists:
        return {NOTE: "no rows loaded yet"}
    return {DUPLICATE_KEYS: MetadataValue.int(figures.duplicate_keys or 0),
            NULL_KEYS: MetadataValue.int(figures.null_keys or 0)}


def incremental_cursor(metadata: Mapping[str, MetadataValue]) -> str | None:
    """The cursor a materialization recorded (`materialization_metadata`)."""
    value = metadata.get(INCREMENTAL_CURSOR)
    return value.value if value is not None else None


def declared_columns(endpoint: Endpoint) -> TableSchema | None:
    """Columns the configuration documents (dlt column hints), with the engine's own."""
    hints = endpoint.declared_columns
    if not hints:
        return None
    return column_schema(
        {**hint, "name": RestApi.column_name(field), **({"primary_key": True} if field in endpoint.primary_key else {})}
        for field, hint in hints.items()
    )


def column_schema(columns: Iterable[Mapping]) -> TableSchema:
    """A table's columns as the UI shows them, from dlt column hints, each with its `name` (data_type, nullable,
    description, primary_key, unique): the same shape before the first run and after each load."""
    return TableSchema(columns=[
        TableColumn(
            name=column["name"],
            type=column.get("data_type", "unknown"),
            description=column.get("description"),
            constraints=TableColumnConstraints(
                nullable=column.get("nullable", True),
                unique=bool(column.get("unique")),
                other=["primary key"] if column.get("primary_key") else [],
            ),
        )
        for column in columns
    ])
