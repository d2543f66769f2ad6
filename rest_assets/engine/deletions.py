"""Rows the API stops listing, and the guard against an API that suddenly lists nothing.

A resource whose sync reads a complete listing (`Endpoint.complete_listing`) sees a
deletion as a row it did not list. Its `deletions` setting says what the warehouse does:

- `soft` (default): the row stays with `_deleted_at` set by the first sync that missed it;
  a row that comes back is cleared, since dlt's merge replaces it. dlt has no soft delete,
  so this is one UPDATE after dlt's load, under the same writer lock.
- `hard`: the row goes, nested rows too: dlt's delete-insert merge scoped to the whole table
  (`destination_scope`), inside dlt's own merge transaction.
- `keep`: nothing happens.
- `history`: dlt's `scd2` strategy keeps every version of a row; a changed or vanished row
  is retired (`_dlt_valid_to`). For an incremental resource, only rows it lists again retire.

A full refresh writes each selected table like `hard` (history tables retire what vanished
instead). Incremental resources cannot see deletions: a full refresh is their remedy.

Before anything is loaded, each table's count of rows to delete is known, from the keys
the listing brought (`SeenKeys`) against the table's current rows: a sync that would
delete more than half of them, and more than a handful, is refused (`MassDeletion`).
"""

from __future__ import annotations

import threading
from array import array
from dataclasses import dataclass, field
from datetime import datetime
from typing import AbstractSet, Any, Literal, Mapping, Optional, Sequence

from dlt.common.typing import TDataItems
from dlt.extract.items_transform import BaseItemTransform, ItemTransform

from rest_assets.engine.errors import MassDeletion
from rest_assets.engine.keys import key_hash

DELETED_AT = "_deleted_at"
VALID_TO = "_dlt_valid_to"  # dlt's scd2 validity column: null for the current version
DELETED_AT_HINT = {
    "data_type": "timestamp",
    "nullable": True,
    "description": "When a complete sync first no longer found this row upstream; null for current rows.",
}
# dlt keeps a table hint that a later run omits: every run sets the scope, or clears it.
SCOPE_HINT = "x-merge-destination-scope"
WHOLE_TABLE = "1 = 1"
# Fewer deletions than this never trip the guard, whatever the share.
MASS_DELETION_MIN_ROWS = 6
_DELETE_INSERT = {"disposition": "merge", "strategy": "delete-insert"}
_SCD2 = {"disposition": "merge", "strategy": "scd2"}


@dataclass(frozen=True)
class DeletionMode:
    """What the warehouse does with a row the API stops listing, told by what the mode does.

    Everything the engine does with a mode (its dlt hints, its column, its SQL, the guard, what
    an incremental listing or a full refresh makes of it) follows from these properties:

    - `needs_complete_listing`: it acts on the rows a listing did not bring, which only a complete
      listing can tell; a run that reads a window keeps every row instead (`KEEP`).
    - `marks_column`: a row no longer listed stays, with this column set after the load.
    - `keeps_versions`: every version of a row is kept (dlt's scd2); a run that reads a window
      retires only the rows it lists again.
    - `replaces`: the table is rebuilt from the extract, even one dlt does not merge.

    A mode that deletes without marking a column (it removes or retires rows) does so through dlt's
    merge scoped to the whole table, and only on a complete listing: on a window, dlt's
    delete-insert would remove every row outside it.
    """

    name: str
    note: str  # for the asset's description, where the resource reads a complete listing
    needs_complete_listing: bool = False
    marks_column: str | None = None
    keeps_versions: bool = False
    replaces: bool = False

    @property
    def deletes(self) -> bool:
        """Rows missing from a complete listing are deleted (marked, removed or retired), so counted and guarded."""
        return self.needs_complete_listing or self.keeps_versions

    @property
    def current_column(self) -> str | None:
        """The column that is null on the table's current rows; None: every row is current."""
        return self.marks_column or (VALID_TO if self.keeps_versions else None)

    def declared_columns(self, complete_listing: bool) -> dict[str, dict]:
        """Columns the engine adds to a resource's table whatever a run does (the column it marks)."""
        return {self.marks_column: DELETED_AT_HINT} if self.marks_column and complete_listing else {}

    def current_rows_column(self, complete_listing: bool) -> str | None:
        """The column that is null on the current rows of a resource's table, where the table has it."""
        if self.marks_column is not None and not complete_listing:
            return None  # a window never marks: the table has no such column
        return self.current_column

    def keys_unique_among(self) -> str | None:
        """Where the primary key is unique: among current rows on a table of versions, else every row."""
        return self.current_column if self.keeps_versions else None

    def hints(self, write: "TableWrite") -> dict[str, Any]:
        """dlt resource hints for a run that writes the table this way (the scope set or cleared)."""
        if not write.merge:
            return {"write_disposition": "replace"} if self.replaces else {}
        removes = self.deletes and self.marks_column is None and write.complete_listing
        hints: dict[str, Any] = {
            "write_disposition": dict(_SCD2 if self.keeps_versions else _DELETE_INSERT),
            "additional_table_hints": {SCOPE_HINT: WHOLE_TABLE if removes else None},
        }
        if self.keeps_versions and not write.complete_listing:
            hints["merge_key"] = list(write.key_fields)  # only rows listed again retire
        return hints

    def mark(self, client: Any, write: "TableWrite", load_ids: Sequence[str], moment: datetime) -> None:
        """After the load: set the marked column on the current rows this load did not bring.

        dlt's merge gave every row of the listing this load's `_dlt_load_id`; older ones were not listed.
        """
        if self.marks_column is None:
            return
        table = client.make_qualified_table_name(write.table)
        column = client.escape_column_name(self.marks_column)
        if self.marks_column not in _columns(client, write.table):  # a table from before the setting, loaded nothing now
            client.execute_sql(f"alter table {table} add column if not exists {column} timestamp with time zone")
        placeholders = ", ".join(["%s"] * len(load_ids))
        client.execute_sql(
            f"update {table} set {column} = %s where {column} is null and _dlt_load_id not in ({placeholders})",
            moment, *load_ids,
        )


SOFT = DeletionMode(
    "soft", note=f"Rows deleted upstream stay with `{DELETED_AT}` set: current rows are those where `{DELETED_AT}` is null.",
    needs_complete_listing=True, marks_column=DELETED_AT)
HARD = DeletionMode("hard", note="Rows deleted upstream are removed at the next sync.", needs_complete_listing=True)
KEEP = DeletionMode("keep", note="Rows deleted upstream are kept as they were last seen.")
HISTORY = DeletionMode(
    "history", note="Every version of each row is kept (dlt scd2): current rows are those where `_dlt_valid_to` "
    "is null; a row changed or no longer listed upstream gets `_dlt_valid_to`.", keeps_versions=True)
# A full refresh: the table is rebuilt from a complete extract, whatever its mode (history tables retire instead).
REPLACE = DeletionMode("replace", note="Rebuilt from a complete extract.", needs_complete_listing=True, replaces=True)
# The modes a declaration may name (`deletions:`), by name.
MODES = {mode.name: mode for mode in (SOFT, HARD, KEEP, HISTORY)}
DeletionModeName = Literal[tuple(MODES)]  # type: ignore[valid-type]
PARTIAL_LISTING_NOTE = ("A sync does not read every row of this table (an incremental window, a filtering step, or "
                        "a table several resources write), so rows deleted upstream are not seen: run with "
                        "`full_refresh: true` to remove them.")


def applied_mode(declared: DeletionMode, merges: bool, complete_listing: bool, full_refresh: bool) -> DeletionMode:
    """What one run does to a table whose resource declares `declared`.

    A full refresh rebuilds the table (one of versions retires instead); a table dlt does not merge
    keeps its rows, and so does a window where the mode needs a complete listing.
    """
    if full_refresh:
        return declared if declared.keeps_versions and merges else REPLACE
    if not merges or (declared.needs_complete_listing and not complete_listing):
        return KEEP
    return declared


class SeenKeys(ItemTransform[Any, dict]):
    """A pipe step that records the primary key of every row a resource extracts, a page at a time.

    Keys are kept as 64-bit hashes of their text in an array: 8 bytes a row (a set of key
    tuples held ~150 bytes a row, 55 MB in an API of 370k rows). A hash collision could hide
    one deletion from the count, never mark a row: marking goes by the load id.
    """

    placement_affinity = 1.5  # after dlt's incremental and limit steps, before the fork to child resources

    def __init__(self, key_fields: Sequence[str]) -> None:
        BaseItemTransform.__init__(self)
        self.key_fields = tuple(key_fields)
        self._hashes = array("q")
        self._lock = threading.Lock()

    def __call__(self, items: TDataItems, meta: Any = None) -> Optional[TDataItems]:
        rows = items if isinstance(items, list) else [items]
        hashes = [key_hash(row.get(f) for f in self.key_fields) for row in rows]
        with self._lock:
            self._hashes.extend(hashes)
        return items

    def hashes(self) -> set[int]:
        return set(self._hashes)


@dataclass
class TableWrite:
    """How one run writes one resource's table: the mode it applies, and the keys it saw."""

    resource: str
    table: str
    mode: DeletionMode
    key_fields: tuple[str, ...]
    key_columns: tuple[str, ...]
    merge: bool = True  # the resource's write disposition is merge
    complete_listing: bool = True  # this run reads every row the API has
    seen: SeenKeys | None = field(default=None, repr=False)

    @property
    def tracks_deletions(self) -> bool:
        return self.merge and self.mode.deletes and self.complete_listing

    def hints(self) -> dict[str, Any]:
        return self.mode.hints(self)


def deletion_counts(
    client: Any, writes: Mapping[str, TableWrite], columns: Mapping[str, AbstractSet[str]]
) -> dict[str, tuple[int, int]]:
    """Per table: (current rows, current rows this run's listing did not bring), before loading.

    `columns`: each existing table's columns (`Warehouse.dataset_columns`).
    """
    counts = {}
    for write in writes.values():
        if write.seen is None or write.table not in columns:
            continue
        keys = ", ".join(client.escape_column_name(c) for c in write.key_columns)
        where = _current_filter(client, write, columns[write.table])
        rows = client.execute_sql(f"select {keys} from {client.make_qualified_table_name(write.table)} where {where}")
        seen = write.seen.hashes()
        absent = sum(1 for row in rows if key_hash(row) not in seen)
        counts[write.table] = (len(rows), absent)
    return counts


def refuse_mass_deletions(api_name: str, counts: Mapping[str, tuple[int, int]]) -> None:
    """Fail on a table that would lose more than half of its current rows, and more than a handful."""
    for table, (current, absent) in counts.items():
        if absent >= MASS_DELETION_MIN_ROWS and absent * 2 > current:
            raise MassDeletion(api_name, table, absent, current)


def mark_deleted(
    client: Any, writes: Mapping[str, TableWrite], counts: Mapping[str, tuple[int, int]], load_ids: Sequence[str],
    moment: datetime,
) -> None:
    """After the load, each table with rows to mark (`deletion_counts`), as its mode marks them."""
    for write in writes.values():
        if counts.get(write.table, (0, 0))[1]:
            write.mode.mark(client, write, load_ids, moment)


def _current_filter(client: Any, write: TableWrite, columns: AbstractSet[str]) -> str:
    column = write.mode.current_column
    if column is None or column not in columns:
        return "1 = 1"
    return f"{client.escape_column_name(column)} is null"


def _columns(client: Any, table: str) -> set[str]:
    return {row[0] for row in client.execute_sql(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
        client.dataset_name, table)}
