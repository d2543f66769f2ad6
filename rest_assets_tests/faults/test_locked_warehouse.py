"""A DuckDB file that another program has open (a notebook, the DuckDB CLI, a BI tool, even read-only):
the sync waits for it, saying so in the run's log, and gives up after REST_ASSETS_DUCKDB_LOCK_TIMEOUT_SECONDS
with a message that names the file; nothing is loaded twice or lost either way."""

from __future__ import annotations

import subprocess
import sys
import time
from contextlib import contextmanager
from typing import Iterator

import pytest

from .helpers import failure_text

pytestmark = pytest.mark.faults

READER = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1], read_only=True)
print("open", flush=True)
time.sleep(float(sys.argv[2]))
"""


@contextmanager
def reader_holding(path, seconds: float) -> Iterator[subprocess.Popen]:
    """Another process with the DuckDB file open read-only for `seconds`, as a notebook would keep it."""
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "open"
        yield reader
    finally:
        reader.kill()
        reader.wait()


def wait_messages(project, result) -> list[str]:
    return [
        entry.user_message for entry in project.instance.all_logs(result.run_id)
        if "Waiting for the DuckDB file" in entry.user_message
    ]


def test_a_sync_waits_for_a_reader_to_close_the_file_and_loads_once(make_project):
    project = make_project(sizes={"agency": {"clients": 150}})
    assert project.materialize("agency/clients").success
    project.sim.update_rows("agency", "clients", [7], {"name": "renamed"})
    project.sim.add_rows("agency", "clients", 3)

    with reader_holding(project.duckdb_path, seconds=8) as reader:
        started = time.monotonic()
        result = project.materialize("agency/clients")
        waited = time.monotonic() - started

    assert result.success and waited >= 6, f"the sync went ahead after {waited:.1f} s"
    messages = wait_messages(project, result)
    assert len(messages) >= 2, "a line every few seconds while waiting"
    assert str(project.duckdb_path) in messages[0] and f"(PID {reader.pid}) has it open" in messages[0]
    assert sorted(project.keys("agency", "clients", "id")) == list(range(1, 154))
    assert project.query("select name from agency.clients where id = 7") == [("renamed",)]


def test_a_sync_gives_up_on_a_file_held_past_the_timeout_and_loads_nothing(make_project, monkeypatch):
    project = make_project(sizes={"agency": {"clients": 150}})
    assert project.materialize("agency/clients").success
    before = project.query("select * from agency.clients order by id")
    project.sim.add_rows("agency", "clients", 3)
    monkeypatch.setenv("REST_ASSETS_DUCKDB_LOCK_TIMEOUT_SECONDS", "2")

    with reader_holding(project.duckdb_path, seconds=120) as reader:
        result = project.materialize("agency/clients", raise_on_error=False)

    assert not result.success
    message = failure_text(result)
    assert f"the DuckDB file {project.duckdb_path} stayed open in" in message and f"(PID {reader.pid})" in message
    assert "Close that connection" in message and "REST_ASSETS_DUCKDB_LOCK_TIMEOUT_SECONDS" in message
    assert project.query("select * from agency.clients order by id") == before

    assert project.materialize("agency/clients").success
    assert sorted(project.keys("agency", "clients", "id")) == list(range(1, 154)), "the next run loads it all, once"
