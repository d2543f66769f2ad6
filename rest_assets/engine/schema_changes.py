"""What a load changed in a table's schema: new fields, and fields whose values changed type.

dlt never crashes on either: a new field becomes a new column, and a value that
no longer fits its column's type lands in a variant column (`budget__v_text`).
This names them, so a run's metadata says what changed instead of leaving it to
be found later in the table.
"""

from __future__ import annotations

from dlt.common.pipeline import LoadInfo
from dlt.common.schema.typing import TColumnSchema

VARIANT_MARK = "__v_"


def schema_changes(load_info: LoadInfo, table: str) -> list[str]:
    """Columns this load added to an existing `table`, described; [] if none.

    A table created by this load is not a change (all its columns are new).
    """
    changes = []
    for package in load_info.load_packages:
        update = package.schema_update.get(table)
        if update and "_dlt_id" not in update.get("columns", {}):  # dlt adds _dlt_id when it creates a table
            changes += [_describe(column) for column in update["columns"].values()]
    return changes


def _describe(column: TColumnSchema) -> str:
    name, data_type = column["name"], column.get("data_type", "unknown")
    if column.get("variant") or VARIANT_MARK in name:
        return f"{name} ({data_type}): values of {name.rsplit(VARIANT_MARK, 1)[0]} changed type"
    return f"{name} ({data_type}): new field"
