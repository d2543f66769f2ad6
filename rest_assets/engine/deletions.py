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
from typing import Any, Iterable, Mapping, Optional, Sequence

from dlt.common.typing import TDataItems
from dlt.extract.items_transform import BaseItemTransform, ItemTransform

from rest_assets.engine.errors import MassDeletion
from rest_assets.engine.declaration import Endpoint, RestApi
from rest_assets.engine.keys import key_hash

DELETED_AT = "_deleted_at"
VALID_TO = "_dlt_valid_to"  # dlt's scd2 validity column: null for the current version
# Per mode, the column that is null on a table's current rows (other modes: every row is current);
# per column, the name under which the rows kept but no longer current are counted.
CURRENT_ROWS_COLUMN = {"soft": DELETED_AT, "history": VALID_TO}
NOT_CURRENT_ROWS = {DELETED_AT: "rows_soft_deleted", VALID_TO: "rows_retired"}
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
    """How one run writes one resource's table: the merge it asks dlt for, and what it deletes."""

    resource: str
    table: str
    mode: str  # soft | hard | keep | history | replace (a full refresh)
    key_fields: tuple[str, ...]
    key_columns: tuple[str, ...]
    merge: bool = True  # the resource's write disposition is merge
    complete_listing: bool = True  # this run reads every row the API has
    seen: SeenKeys | None = field(default=None, repr=False)

    @property
    def tracks_deletions(self) -> bool:
        return self.merge and self.mode != "keep" and self.complete_listing

    @property
    def current_rows(self) -> str | None:
        """The column that is null on a table's current rows (None: every row is current)."""
        return CURRENT_ROWS_COLUMN.get(self.mode)

    def hints(self) -> dict[str, Any]:
        """dlt resource hints for this run: the write disposition, and the scope hint set or cleared."""
        if not self.merge:
            return {"write_disposition": "replace"} if self.mode == "replace" else {}
        if self.mode != "history":
            scope = WHOLE_TABLE if self.mode in ("hard", "replace") else None
            return {"write_disposition": {"disposition": "merge", "strategy": "delete-insert"},
                    "additional_table_hints": {SCOPE_HINT: scope}}
        if self.complete_listing:  # retire whatever was not listed (the scope overrides a merge key)
            return {"write_disposition": {"disposition": "merge", "strategy": "scd2"},
                    "additional_table_hints": {SCOPE_HINT: WHOLE_TABLE}}
        # An incremental listing: only rows listed again retire, which the merge key scopes.
        return {"write_disposition": {"disposition": "merge", "strategy": "scd2"},
                "additional_table_hints": {SCOPE_HINT: None}, "merge_key": list(self.key_fields)}


def plan_table_writes(api: RestApi, names: Iterable[str], full_refresh: bool) -> dict[str, TableWrite]:
    """How this run writes each selected resource's table."""
    return {name: table_write(api, name, full_refresh) for name in names}


def table_write(api: RestApi, name: str, full_refresh: bool) -> TableWrite:
    endpoint = api.endpoints[name]
    # A full refresh reads an incremental resource from its start date: a complete listing too.
    complete_listing = full_refresh or endpoint.complete_listing
    if full_refresh:
        mode = "history" if endpoint.deletions == "history" and endpoint.merges else "replace"
    elif not endpoint.merges or (endpoint.deletions in ("soft", "hard") and not complete_listing):
        mode = "keep"
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


def declared_deletion_columns(endpoint: Endpoint) -> dict[str, dict]:
    """Columns the engine adds to a resource whatever the run does: `_deleted_at` where soft deletions apply."""
    return {DELETED_AT: DELETED_AT_HINT} if endpoint.deletions == "soft" and endpoint.complete_listing else {}


def deletion_counts(client: Any, writes: Mapping[str, TableWrite], existing: set[str]) -> dict[str, tuple[int, int]]:
    """Per table: (current rows, current rows this run's listing did not bring), before loading."""
    counts = {}
    for write in writes.values():
        if write.seen is None or write.table not in existing:
            continue
        columns = ", ".join(client.escape_column_name(c) for c in write.key_columns)
        where = _current_filter(client, write)
        rows = client.execute_sql(f"select {columns} from {client.make_qualified_table_name(write.table)} where {where}")
        seen = write.seen.hashes()
        absent = sum(1 for row in rows if key_hash(row) not in seen)
        counts[write.table] = (len(rows), absent)
    return counts


def refuse_mass_deletions(api_name: str, counts: Mapping[str, tuple[int, int]]) -> None:
    """Fail on a table that would lose more than half of its current rows, and more than a handful."""
    for table, (current, absent) in counts.items():
        if absent >= MASS_DELETION_MIN_ROWS and absent * 2 > current:
            raise MassDeletion(api_name, table, absent, current)


def mark_soft_deleted(
    client: Any, writes: Mapping[str, TableWrite], counts: Mapping[str, tuple[int, int]], load_ids: Sequence[str],
    moment: datetime,
) -> None:
    """Set `_deleted_at` on the current rows of soft tables that this load did not bring.

    dlt's merge gave every row of the listing this load's `_dlt_load_id`; older ones were not
    listed. Only tables with rows to mark (`deletion_counts`) are touched.
    """
    for write in writes.values():
        if write.mode != "soft" or counts.get(write.table, (0, 0))[1] == 0:
            continue
        table = client.make_qualified_table_name(write.table)
        deleted_at = client.escape_column_name(DELETED_AT)
        if DELETED_AT not in _columns(client, write.table):  # a table from before the setting, loaded nothing now
            client.execute_sql(f"alter table {table} add column if not exists {deleted_at} timestamp with time zone")
        placeholders = ", ".join(["%s"] * len(load_ids))
        client.execute_sql(
            f"update {table} set {deleted_at} = %s where {deleted_at} is null and _dlt_load_id not in ({placeholders})",
            moment, *load_ids,
        )


def current_rows_column(endpoint: Endpoint) -> str | None:
    """The column that is null on the current rows of the resource's table: `_deleted_at` where soft
    deletions apply, `_dlt_valid_to` on a history table; None where every row is current."""
    if endpoint.deletions == "history":
        return VALID_TO
    return DELETED_AT if declared_deletion_columns(endpoint) else None


def row_counts(client: Any, endpoint: Endpoint) -> tuple[int, dict[str, int]]:
    """The current rows of the resource's table, and beside them the rows it keeps that are no
    longer current (`rows_soft_deleted`, `rows_retired`), where its mode keeps such rows.

    A table that never got its mode's column (loaded before the setting) has only current rows.
    """
    qualified = client.make_qualified_table_name(endpoint.table)
    column = current_rows_column(endpoint)
    if column is None:
        return client.execute_sql(f"select count(*) from {qualified}")[0][0], {}
    if column not in _columns(client, endpoint.table):
        return client.execute_sql(f"select count(*) from {qualified}")[0][0], {NOT_CURRENT_ROWS[column]: 0}
    escaped = client.escape_column_name(column)
    current, not_current = client.execute_sql(
        f"select count(*) filter (where {escaped} is null), count(*) filter (where {escaped} is not null) from {qualified}"
    )[0]
    return current, {NOT_CURRENT_ROWS[column]: not_current}


def _current_filter(client: Any, write: TableWrite) -> str:
    column = write.current_rows
    if column is None or column not in _columns(client, write.table):
        return "1 = 1"
    return f"{client.escape_column_name(column)} is null"


def _columns(client: Any, table: str) -> set[str]:
    return {row[0] for row in client.execute_sql(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
        client.dataset_name, table)}
