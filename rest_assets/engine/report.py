"""What a sync did, table by table: the one thing the engine hands back to whoever runs it.

Plain data, so the orchestrator (orchestration/results.py) decides how it is shown: metadata,
check results, logs. A new figure is a field here and a line where it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence


@dataclass(frozen=True)
class TableFigures:
    """A table's rows, counted after the load (or on their own, for checks alone)."""

    exists: bool  # a resource that never had a row has no table
    current_rows: int = 0
    not_current: int | None = None  # rows kept but no longer current (soft-deleted, retired); None: the mode keeps none
    duplicate_keys: int | None = None  # None: the resource has no primary key to check
    null_keys: int | None = None


@dataclass(frozen=True)
class TableReport:
    """One selected resource's table after a sync."""

    resource: str
    table: str
    qualified_name: str | None  # catalog.dataset.table; None where the catalog is unknown
    figures: TableFigures
    rows_loaded: int
    rows_deleted: int  # rows this sync marked, removed or retired as no longer listed upstream
    deletions: str  # what this sync did to rows no longer listed (the mode, or `replace` for a full refresh)
    pages: int
    retries: int
    cursor: Any | None  # the incremental cursor saved by this sync
    schema_changes: Sequence[str]
    columns: Sequence[Mapping[str, Any]]  # dlt's column hints of the table, each with its name
    nested_tables: Mapping[str, Sequence[Mapping[str, Any]]]  # dlt's child tables of the table, and their columns


@dataclass(frozen=True)
class SyncReport:
    """One API's sync: the tables it loaded, and what the whole sync cost."""

    api: str
    tables: Mapping[str, TableReport]  # by resource name
    load_ids: Sequence[str]
    full_refresh: bool
    start_from: str | None  # ISO 8601, where this sync restated incremental resources from a moment
    duration_seconds: float
    cpu_seconds: Mapping[str, float]  # by dlt step: extract, normalize, load
