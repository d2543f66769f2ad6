"""The figures table checks judge: a table's current rows, and its duplicate and null keys.

Counted in the API's own step, right after its load on the load's connection, or on their
own; the orchestrator decides what passes (orchestration/checks.py).
"""

from __future__ import annotations

import logging
from typing import AbstractSet, Any, Mapping, Sequence

from rest_assets.engine.declaration import Endpoint, RestApi
from rest_assets.engine.report import TableFigures
from rest_assets.engine.warehouse import Warehouse


def table_figures(
    client: Any, endpoints: Mapping[str, Endpoint], columns: Mapping[str, AbstractSet[str]]
) -> dict[str, TableFigures]:
    """Count the resources' tables with an open SQL client on the API's dataset, in one query.

    `columns`: each existing table's columns (`Warehouse.dataset_columns`). A query per table
    cost a few milliseconds each, most of it the database's fixed cost per statement.
    """
    counted = [name for name, endpoint in endpoints.items() if endpoint.table in columns]
    figures = {name: TableFigures(exists=False) for name in endpoints if name not in counted}
    if not counted:
        return figures
    selects = [_figures_select(client, position, endpoints[name], columns[endpoints[name].table])
               for position, name in enumerate(counted)]
    for position, current, not_current, duplicates, nulls in client.execute_sql(" union all ".join(selects)):
        figures[counted[position]] = TableFigures(True, current, not_current, duplicates, nulls)
    return figures


def _figures_select(client: Any, position: int, endpoint: Endpoint, columns: AbstractSet[str]) -> str:
    """One table's row of `table_figures`: its position, current and no longer current rows, duplicate and null keys."""
    current, not_current = row_count_sql(client, endpoint, columns)
    duplicates = nulls = "null"
    if keys := [client.escape_column_name(column) for column in endpoint.key_columns]:
        # Among current rows: a history table holds every version of a row (soft-deleted rows keep
        # their key, so on a soft table it is unique over all rows alike).
        column = endpoint.deletions.keys_unique_among()
        among = f"{client.escape_column_name(column)} is null" if column else "true"
        any_null = " or ".join(f"{key} is null" for key in keys)
        duplicates = f"count(*) filter (where {among}) - count(distinct ({', '.join(keys)})) filter (where {among})"
        nulls = f"count(*) filter (where ({any_null}) and {among})"
    figures = ", ".join(f"cast({sql} as bigint)" for sql in (current, not_current or "null", duplicates, nulls))
    return f"select {position}, {figures} from {client.make_qualified_table_name(endpoint.table)}"


def row_count_sql(client: Any, endpoint: Endpoint, columns: AbstractSet[str]) -> tuple[str, str | None]:
    """Aggregates over the resource's table (its `columns`) for its current rows, and for the rows it keeps
    that are no longer current (soft-deleted, retired; None where its mode keeps no such rows).

    A table that never got its mode's column (loaded before the setting) has only current rows.
    """
    column = endpoint.deletions.current_rows_column(endpoint.complete_listing)
    if column is None:
        return "count(*)", None
    if column not in columns:
        return "count(*)", "0"
    escaped = client.escape_column_name(column)
    return f"count(*) filter (where {escaped} is null)", f"count(*) filter (where {escaped} is not null)"


def count_tables(api: RestApi, names: Sequence[str], warehouse: Warehouse, log: logging.Logger) -> dict[str, TableFigures]:
    """The figures of the resources' tables on their own (no sync), on a client of their own."""
    with warehouse.sql_client(api.name, log) as client:
        return table_figures(client, {name: api.endpoints[name] for name in names}, warehouse.dataset_columns(client))
