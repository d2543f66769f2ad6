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
from typing import TYPE_CHECKING, AbstractSet, Any, Iterable, Mapping, Optional, Sequence

from dlt.common.typing import TDataItems
from dlt.extract.items_transform import BaseItemTransform, ItemTransform

from rest_assets.engine.errors import MassDeletion
from rest_assets.engine.keys import key_hash

if TYPE_CHECKING:
    from rest_assets.engine.declaration import Endpoint, RestApi

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
    """What the warehouse does with a row the API stops listing: its columns, dlt hints, SQL and note."""

    name: str
    note: str  # for the asset's description, where the resource reads a complete listing
    current_column: str | None = None  # null on the table's current rows; None: every row is current
    not_current_label: str | None = None  # under which the rows kept but no longer current are counted
    scope: str | None = None  # the merge's destination scope: what a complete extract replaces
    strategy: Mapping[str, str] = field(default_factory=lambda: _DELETE_INSERT)
    deletes: bool = True  # rows missing from a complete listing are counted (and guarded against)

    def declared_columns(self, endpoint: "Endpoint") -> dict[str, dict]:
        """Columns the engine adds to the resource's table whatever a run does."""
        return {DELETED_AT: DELETED_AT_HINT} if self.current_column == DELETED_AT and endpoint.complete_listing else {}

    def current_rows_column(self, endpoint: "Endpoint") -> str | None:
        """The column that is null on the current rows of the resource's table, where the table has it."""
        return self.current_column if self.current_column != DELETED_AT or self.declared_columns(endpoint) else None

    def keys_unique_among(self, endpoint: "Endpoint") -> str | None:
        """Where the primary key is unique: among current rows on a table of versions, else every row."""
        return self.current_column if self.current_column == VALID_TO else None

    def hints(self, write: "TableWrite") -> dict[str, Any]:
        """dlt resource hints for a run that writes the table this way (the scope set or cleared)."""
        if not write.merge:
            return {"write_disposition": "replace"} if self is REPLACE else {}
        if self.strategy is _SCD2 and not write.complete_listing:
            # An incremental listing: only rows listed again retire, which the merge key scopes.
            return {"write_disposition": dict(_SCD2), "additional_table_hints": {SCOPE_HINT: None},
                    "merge_key": list(write.key_fields)}
        return {"write_disposition": dict(self.strategy), "additional_table_hints": {SCOPE_HINT: self.scope}}

    def mark(self, client: Any, write: "TableWrite", load_ids: Sequence[str], moment: datetime) -> None:
        """After the load: set `_deleted_at` on the current rows this load did not bring (soft only).

        dlt's merge gave every row of the listing this load's `_dlt_load_id`; older ones were not listed.
        """
        if self.current_column != DELETED_AT:
            return
        table = client.make_qualified_table_name(write.table)
        deleted_at = client.escape_column_name(DELETED_AT)
        if DELETED_AT not in _columns(client, write.table):  # a table from before the setting, loaded nothing now
            client.execute_sql(f"alter table {table} add column if not exists {deleted_at} timestamp with time zone")
        placeholders = ", ".join(["%s"] * len(load_ids))
        client.execute_sql(
            f"update {table} set {deleted_at} = %s where {deleted_at} is null and _dlt_load_id not in ({placeholders})",
            moment, *load_ids,
        )


SOFT = DeletionMode(
    "soft", note=f"Rows deleted upstream stay with `{DELETED_AT}` set: current rows are those where `{DELETED_AT}` is null.",
    current_column=DELETED_AT, not_current_label="rows_soft_deleted")
HARD = DeletionMode("hard", note="Rows deleted upstream are removed at the next sync.", scope=WHOLE_TABLE)
KEEP = DeletionMode("keep", note="Rows deleted upstream are kept as they were last seen.", deletes=False)
HISTORY = DeletionMode(
    "history", note="Every version of each row is kept (dlt scd2): current rows are those where `_dlt_valid_to` "
    "is null; a row changed or no longer listed upstream gets `_dlt_valid_to`.",
    current_column=VALID_TO, not_current_label="rows_retired", scope=WHOLE_TABLE, strategy=_SCD2)
# A full refresh: the table is rebuilt from a complete extract, whatever its mode (history tables retire instead).
REPLACE = DeletionMode("replace", note="Rebuilt from a complete extract.", scope=WHOLE_TABLE)
# The modes a declaration may name (`deletions:`), by name.
MODES = {mode.name: mode for mode in (SOFT, HARD, KEEP, HISTORY)}
PARTIAL_LISTING_NOTE = ("A sync does not read every row of this table (an incremental window, a filtering step, or "
                        "a table several resources write), so rows deleted upstream are not seen: run with "
                        "`full_refresh: true` to remove them.")


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


def plan_table_writes(api: "RestApi", names: Iterable[str], full_refresh: bool) -> dict[str, TableWrite]:
    """How this run writes each selected resource's table."""
    return {name: table_write(api, name, full_refresh) for name in names}


def table_write(api: "RestApi", name: str, full_refresh: bool) -> TableWrite:
    endpoint = api.endpoints[name]
    # A full refresh reads an incremental resource from its start date: a complete listing too.
    complete_listing = full_refresh or endpoint.complete_listing
    if full_refresh:
        mode = HISTORY if endpoint.deletions is HISTORY and endpoint.merges else REPLACE
    elif not endpoint.merges or (endpoint.deletions in (SOFT, HARD) and not complete_listing):
        mode = KEEP
    else:
        mode = endpoint.deletions
    write = TableWrite(
        resource=name,
        table=endpoint.table,
        mode=mode,
        key_fields=endpoint.primary_key,
        key_columns=tuple(api.column_name(f) for f in endpoint.primary_key),
        merge=endpoint.merges,
        complete_listing=complete_listing,
    )
    if write.tracks_deletions:
        write.seen = SeenKeys(write.key_fields)
    return write


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


def row_count_sql(client: Any, endpoint: "Endpoint", columns: AbstractSet[str]) -> tuple[str, str | None]:
    """Aggregates over the resource's table (its `columns`) for its current rows, and for the rows it keeps
    that are no longer current (`rows_soft_deleted`, `rows_retired`; None where its mode keeps no such rows).

    A table that never got its mode's column (loaded before the setting) has only current rows.
    """
    column = endpoint.deletions.current_rows_column(endpoint)
    if column is None:
        return "count(*)", None
    if column not in columns:
        return "count(*)", "0"
    escaped = client.escape_column_name(column)
    return f"count(*) filter (where {escaped} is null)", f"count(*) filter (where {escaped} is not null)"


def _current_filter(client: Any, write: TableWrite, columns: AbstractSet[str]) -> str:
    column = write.mode.current_column
    if column is None or column not in columns:
        return "1 = 1"
    return f"{client.escape_column_name(column)} is null"


def _columns(client: Any, table: str) -> set[str]:
    return {row[0] for row in client.execute_sql(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
        client.dataset_name, table)}
