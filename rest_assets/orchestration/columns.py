"""A table's columns as the UI shows them, from dlt column hints: the same shape before the first
run (the declared columns) and after each load (dlt's schema of the table)."""

from __future__ import annotations

from typing import Iterable, Mapping

from dagster import TableColumn, TableColumnConstraints, TableSchema


def column_schema(columns: Iterable[Mapping]) -> TableSchema:
    """`columns`: dlt column hints, each with its `name` (data_type, nullable, description, primary_key, unique)."""
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
