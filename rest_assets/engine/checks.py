"""The figures table checks judge: a table's current rows, and its duplicate and null keys.

Counted in the API's own step, right after its load on the load's connection, or on their
own; the orchestrator decides what passes (orchestration/checks.py).
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

from rest_assets.engine.declaration import Endpoint, RestApi
from rest_assets.engine.deletions import row_counts
from rest_assets.engine.report import TableFigures
from rest_assets.engine.warehouse import Warehouse


def key_columns(endpoint: Endpoint) -> list[str]:
    """The primary key's columns as dlt names them (`jobId` -> `job_id`)."""
    return [RestApi.column_name(field) for field in endpoint.primary_key]


def table_figures(client: Any, endpoint: Endpoint, existing: set[str]) -> TableFigures:
    """Count one resource's table with an open SQL client on the API's dataset."""
    if endpoint.table not in existing:
        return TableFigures(exists=False)
    current, not_current = row_counts(client, endpoint)
    duplicates = nulls = None
    if columns := key_columns(endpoint):
        key, any_null = ", ".join(columns), " or ".join(f"{c} is null" for c in columns)
        # Among current rows: a history table holds every version of a row (soft-deleted rows keep
        # their key, so on a soft table it is unique over all rows alike).
        current_only = f" where {column} is null" if (column := endpoint.deletions.keys_unique_among(endpoint)) else ""
        duplicates, nulls = client.execute_sql(
            f"select count(*) - count(distinct ({key})), count(*) filter (where {any_null}) "
            f"from {client.make_qualified_table_name(endpoint.table)}{current_only}"
        )[0]
    return TableFigures(True, current, not_current, duplicates, nulls)


def count_tables(api: RestApi, names: Sequence[str], warehouse: Warehouse, log: logging.Logger) -> dict[str, TableFigures]:
    """The figures of the resources' tables on their own (no sync), on a client of their own."""
    with warehouse.sql_client(api.name, log) as client:
        existing = warehouse.existing_tables(client)
        return {name: table_figures(client, api.endpoints[name], existing) for name in names}
