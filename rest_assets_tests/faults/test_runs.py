"""Through the `dagster` CLI and daemon as users run them: a run killed with SIGKILL mid-extract leaves
nothing half-loaded, two runs of the same source at once neither trip over each other nor miscount, and a
run that cannot end is ended by Dagster's run monitoring."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import yaml
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from rest_assets_sim.faults import Fault, silent
from rest_assets_tests.conftest import REPO_ROOT, start_service, stop_service
from rest_assets_tests.test_automation import Webhook
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


# --- a run that cannot end ---------------------------------------------------------------------------

DAEMON = str(Path(sys.executable).with_name("dagster-daemon"))
HUNG_JOB = "resourcing_logged_time_job"
# From the run's start: the step reaches its first request in ~5 s here, and hangs there for the rest.
MAX_RUNTIME_SECONDS = 15


def wait_for(what: str, condition, timeout: float = 240):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s"
        time.sleep(0.5)
    return value


def finished(instance: DagsterInstance, run_ids: list[str]) -> dict | None:
    """The runs by id, once every one of them has finished."""
    runs = {run.run_id: run for run in instance.get_runs(RunsFilter(run_ids=run_ids))}
    return runs if len(runs) == len(run_ids) and all(run.is_finished for run in runs.values()) else None


def test_a_run_that_cannot_end_is_ended_at_its_max_runtime_its_pool_freed_and_the_alert_names_it(make_project, tmp_path):
    project = make_project(sizes={"resourcing": {"logged_time": 30}}, default_rows=5)
    hung = Fault(silent(), api="resourcing", resource="logged_time", nth={1})  # the first run's first page never comes
    project.sim.hooks.append(hung)
    webhook = Webhook()
    home = tmp_path / "dagster_home"
    home.mkdir()
    shipped = yaml.safe_load((REPO_ROOT / "dagster_home" / "dagster.yaml").read_text())  # monitoring on, pools of 1
    shipped["run_monitoring"].update(poll_interval_seconds=1, free_slots_after_run_end_seconds=1)
    (home / "dagster.yaml").write_text(yaml.safe_dump(shipped))
    env = {**cli_env(project, tmp_path), "REST_ASSETS_MAX_RUNTIME_SECONDS": str(MAX_RUNTIME_SECONDS),
           "REST_ASSETS_ALERT_WEBHOOK_URL": webhook.url,
           # No deadline of the engine's own ends this run first: only the run's maximum runtime.
           "REST_ASSETS_HTTP_TIMEOUT_SECONDS": "3600", "REST_ASSETS_HTTP_RESPONSE_DEADLINE_SECONDS": "3600"}
    hung_run, next_run = str(uuid.uuid4()), str(uuid.uuid4())

    def launch(run_id: str) -> None:
        subprocess.run([DAGSTER, "job", "launch", "-w", "workspace.yaml", "-j", HUNG_JOB, "--run-id", run_id],
                       cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=300)

    daemon = start_service([DAEMON, "run", "-w", "workspace.yaml"], cwd=REPO_ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with DagsterInstance.from_config(str(home)) as instance:
            launch(hung_run)
            wait_for("the first run hangs on its first request", lambda: hung.matched)
            launch(next_run)  # the same API: queued behind the hung run
            runs = wait_for("both runs end", lambda: finished(instance, [hung_run, next_run]))
            alert = wait_for("the failure alert", lambda: next((a for a in webhook.received if a["run_id"] == hung_run), None), 120)
            hung_record, next_record = (instance.get_run_record_by_id(run_id) for run_id in (hung_run, next_run))
            run_failure = next(event for event in instance.all_logs(hung_run, of_type=DagsterEventType.RUN_FAILURE))
    finally:
        stop_service(daemon)
        webhook.server.shutdown()

    assert runs[hung_run].status == DagsterRunStatus.FAILURE and runs[hung_run].tags["dagster/max_runtime"] == str(MAX_RUNTIME_SECONDS)
    assert run_failure.message == f"Exceeded maximum runtime of {MAX_RUNTIME_SECONDS} seconds."
    assert runs[next_run].status == DagsterRunStatus.SUCCESS, "the pool was freed for the next run of the API"
    assert next_record.start_time >= hung_record.end_time, "it had waited for the hung run"
    assert project.count("resourcing", "logged_time") == 30
    assert alert["job"] == HUNG_JOB and alert["apis"] == ["resourcing"] and alert["assets"] == ["resourcing/logged_time"]
    assert alert["reason"] == run_failure.message, "the alert says why its run was ended"
    assert "resourcing: the run was stopped while it synced" in alert["error"]
