"""The fault-injection suite (`pytest -m faults`): every test runs with canary secrets and is checked for leaks.

Each test gets projects whose simulator uses distinctive secrets (`CANARY`) and
whose Dagster instance lives on disk under the test's tmp_path. When the test
ends, `leak_check` looks for every secret (and the forms it travels in: the
Basic auth header, issued OAuth tokens) in the test's stdout/stderr and log
records, in every file under tmp_path (Dagster's run and event storage, compute
logs, dlt's working folders, the DuckDB file), in every table of the warehouse
including dlt's decoded state, and in the Dagster event log.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from .helpers import CANARY, FaultProject, LeakCheck


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults: fault-injection suite")
    config.addinivalue_line("markers", "plants_secrets: the test leaks secrets on purpose (to test the leak check)")


@pytest.fixture(autouse=True)
def leak_check(request, tmp_path, capfd, caplog) -> Iterator[LeakCheck]:
    check = LeakCheck(tmp_path)
    yield check
    if request.node.get_closest_marker("plants_secrets"):
        return
    captured = capfd.readouterr()
    check.scan_text("stdout", captured.out)
    check.scan_text("stderr", captured.err)
    check.scan_text("log records", caplog.text)
    check.scan_everything()
    check.assert_clean()


@pytest.fixture
def make_project(make_project, leak_check, tmp_path):
    """The suite's projects: canary secrets, an on-disk Dagster instance, watched for leaks."""

    def make(sizes: dict | None = None, default_rows: int = 30, **sim_options) -> FaultProject:
        sim_options.setdefault("credentials", CANARY)
        project = FaultProject.of(make_project(sizes=sizes, default_rows=default_rows, **sim_options), tmp_path)
        leak_check.watch(project)
        return project

    return make
