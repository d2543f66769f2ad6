"""Deletion modes are told apart by what they do, never by which they are: each run's writes follow
from a mode's properties, whatever mode a change adds.

(The modes at work on real tables are in test_deletions.py.)
"""

from __future__ import annotations

from itertools import product

import pytest

from rest_assets.engine.deletions import (
    HARD,
    HISTORY,
    KEEP,
    MODES,
    REPLACE,
    SCOPE_HINT,
    SOFT,
    WHOLE_TABLE,
    DeletionMode,
    TableWrite,
    applied_mode,
)

DELETE_INSERT = {"disposition": "merge", "strategy": "delete-insert"}
SCD2 = {"disposition": "merge", "strategy": "scd2"}


def write(mode: DeletionMode, complete_listing: bool, merge: bool = True) -> TableWrite:
    return TableWrite("items", "items", mode, ("id",), ("id",), merge=merge, complete_listing=complete_listing)


def run(declared: DeletionMode, complete_listing: bool, full_refresh: bool = False, merges: bool = True) -> dict:
    """The dlt hints a run gives the table of a resource that declares `declared`."""
    complete_listing = complete_listing or full_refresh  # a full refresh reads everything
    mode = applied_mode(declared, merges, complete_listing, full_refresh)
    return mode.hints(write(mode, complete_listing, merges))


def scoped(strategy: dict, scope: str | None) -> dict:
    return {"write_disposition": strategy, "additional_table_hints": {SCOPE_HINT: scope}}


# (declared mode, complete listing, full refresh): the hints a run gives dlt.
RUNS = {
    (SOFT, True, False): scoped(DELETE_INSERT, None),  # marked after the load
    (SOFT, False, False): scoped(DELETE_INSERT, None),
    (HARD, True, False): scoped(DELETE_INSERT, WHOLE_TABLE),
    (HARD, False, False): scoped(DELETE_INSERT, None),  # a window: rows outside it stay
    (KEEP, True, False): scoped(DELETE_INSERT, None),
    (HISTORY, True, False): scoped(SCD2, WHOLE_TABLE),
    (HISTORY, False, False): {**scoped(SCD2, None), "merge_key": ["id"]},  # only rows listed again retire
    (SOFT, False, True): scoped(DELETE_INSERT, WHOLE_TABLE),  # a full refresh rebuilds
    (HISTORY, False, True): scoped(SCD2, WHOLE_TABLE),  # ... and a table of versions retires instead
}


@pytest.mark.parametrize("case", RUNS, ids=lambda case: f"{case[0].name}-{'complete' if case[1] else 'window'}"
                         f"{'-full_refresh' if case[2] else ''}")
def test_each_declared_mode_writes_its_table_as_before(case):
    declared, complete_listing, full_refresh = case
    assert run(declared, complete_listing, full_refresh) == RUNS[case]


def test_a_table_dlt_does_not_merge_is_replaced_only_by_a_full_refresh():
    assert run(HARD, True, merges=False) == {} and run(HISTORY, True, merges=False) == {}
    assert run(SOFT, True, full_refresh=True, merges=False) == {"write_disposition": "replace"}


PROPERTIES = [dict(zip(("needs_complete_listing", "marks_column", "keeps_versions", "replaces"), values))
              for values in product((False, True), ("_archived_at", None), (False, True), (False, True))]


@pytest.mark.parametrize("properties", PROPERTIES, ids=lambda p: "-".join(k for k, v in p.items() if v) or "none")
def test_no_mode_lets_a_window_delete_every_row_outside_it(properties):
    """Any mode a change adds: a run that reads a window never scopes dlt's merge to the whole table."""
    mode = DeletionMode("new", note="", **properties)
    for merges in (True, False):
        hints = run(mode, complete_listing=False, merges=merges)
        assert hints.get("additional_table_hints", {}).get(SCOPE_HINT) is None, hints
        assert hints.get("write_disposition") != "replace", "a window never replaces its table"


def test_the_modes_differ_in_their_properties_alone():
    described = {mode.name: (mode.needs_complete_listing, mode.marks_column, mode.keeps_versions, mode.replaces)
                 for mode in (*MODES.values(), REPLACE)}
    assert len(set(described.values())) == len(described), described
    assert [mode.name for mode in MODES.values() if not mode.deletes] == [KEEP.name], "only keep sees no deletion"
    assert (SOFT.current_column, HISTORY.current_column, HARD.current_column) == ("_deleted_at", "_dlt_valid_to", None)
