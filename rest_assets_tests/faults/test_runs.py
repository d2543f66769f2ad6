"""Through the `dagster` CLI as users run it: a run killed with SIGKILL mid-extract leaves
nothing half-loaded, and two runs of the same source at once neither trip over each other nor miscount."""

from __future__ import annotations

import os
import signal
import subprocess
import threading

import pytest

from rest_assets_sim.faults import Fault
from rest_assets_tests.test_cli import DAGSTER, cli_env

from .helpers import LeakCheck

pytestmark = pytest.mark.faults


def start_cli(env: dict[str, str], select: str) -> subprocess.Popen:
    """`dagster asset materialize` in its own process group, so a kill reaches its step processes too."""
    return subprocess.Popen(
        [DAGSTER, "asset", "materialize", "-m", "rest_assets.definitions", "--select", select],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )


def finish(process: subprocess.Popen, leak_check: LeakCheck) -> str:
    output, _ = process.communicate(timeout=300)
    leak_check.scan_text(f"output of dagster CLI (pid {process.pid})", output)
    return output


def test_a_run_killed_during_extract_loads_nothing_and_the_next_run_loads_everything(make_project, tmp_path, leak_check):
    project = make_project(sizes={"agency": {"clients": 250}})
    assert project.materialize("agency/clients").success
    before = project.query("select * from agency.clients order by id")
    project.sim.update_rows("agency", "clients", [1], {"name": "renamed"})
    project.sim.add_rows("agency", "clients", 5)

    reached, release = threading.Event(), threading.Event()

    def hold_the_second_page(ctx):
        reached.set()
        release.wait(60)
        return None

    project.sim.hooks.append(Fault(hold_the_second_page, api="agency", resource="clients", where=lambda ctx: "startingAfter" in ctx.query))
    process = start_cli(cli_env(project, tmp_path), "agency/clients")
    try:
        assert reached.wait(120), "the run never reached its second page"
        os.killpg(process.pid, signal.SIGKILL)
        finish(process, leak_check)
    finally:
        release.set()
    assert process.returncode == -signal.SIGKILL

    assert project.query("select * from agency.clients order by id") == before, "nothing from the killed run"
    project.sim.hooks.clear()
    assert project.materialize("agency/clients").success
    expected = sorted(row["id"] for row in project.sim.expected_rows("agency", "clients"))
    assert sorted(project.keys("agency", "clients", "id")) == expected == list(range(1, 256))
    assert project.query("select name from agency.clients where id = 1") == [("renamed",)]


SAME_SOURCE = ("logged_time", "people", "accounts")


def test_two_runs_of_the_same_source_at_once_share_state_and_file_without_errors(make_project, tmp_path, leak_check):
    project = make_project(sizes={"resourcing": {"logged_time": 450, "people": 250}}, default_rows=5)
    both_extracting = threading.Barrier(2)

    def meet_the_other_run(ctx):
        try:
            both_extracting.wait(timeout=60)  # each run's first logged_time page waits for the other's
        except threading.BrokenBarrierError:
            pass
        return None

    project.sim.hooks.append(Fault(meet_the_other_run, api="resourcing", resource="logged_time", where=lambda ctx: "page" in ctx.query and ctx.query["page"] == "1"))
    env = cli_env(project, tmp_path)
    runs = [start_cli(env, ",".join(f"resourcing/{name}" for name in SAME_SOURCE)) for _ in range(2)]
    outputs = [finish(run, leak_check) for run in runs]

    for run, output in zip(runs, outputs):
        assert run.returncode == 0, output[-4000:]
        assert "RUN_SUCCESS" in output
    assert not both_extracting.broken, "the two runs did overlap"
    for resource in SAME_SOURCE:
        expected = sorted(row["id"] for row in project.sim.expected_rows("resourcing", resource))
        assert sorted(project.keys("resourcing", resource, "id")) == expected, resource

    project.sim.hooks.clear()
    project.sim.clear_requests()
    assert project.materialize("resourcing/logged_time").success
    cursor = max(row["modified"] for row in project.sim.expected_rows("resourcing", "logged_time"))
    assert {r.query["modified_since"] for r in project.sim.requests} == {cursor}, "the saved cursor is the right one"
