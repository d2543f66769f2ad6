"""Secret canaries. Every test of this suite runs with canary secrets and is checked for leaks when
it ends (conftest.py). These tests add what the others do not reach: dlt's own trace, state and load
packages (the engine deletes its working folders after each run, so here dlt runs directly), the
`dagster` CLI's output with a failure on every API, and a check that the leak check itself finds a planted
secret in each place it looks."""

from __future__ import annotations

import gzip
import json
import logging

import dlt
import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance, asset, materialize

from rest_assets.orchestration.loading import load_apis
from rest_assets.engine.source import build_source
from rest_assets_sim import Response
from rest_assets_sim.faults import Fault, alter, html_page, throttle
from rest_assets_tests.conftest import run_credentials
from rest_assets_tests.test_cli import cli_env

from .helpers import CANARY, FAST_RETRIES, FaultProject, LeakCheck, set_policy
from .test_runs import finish, start_cli

pytestmark = pytest.mark.faults

ONE_PER_API = {"taskrouter": "workers", "agency": "clients", "resourcing": "logged_time", "workhub": "tasks", "datasync": "jobs"}


def break_every_api(sim, elsewhere: str) -> None:
    """A different failure on each API: HTML, a 401 after a refresh, a foreign next link, throttling, an error body."""
    sim.hooks += [
        Fault(html_page(), api="agency"),
        Fault(Response(401, {"error": "unauthorized"}), api="datasync", resource="jobs"),
        Fault(alter(lambda body: {**body, "meta": {**body["meta"], "next_page_url": elsewhere}}), api="taskrouter", resource="workspaces"),
        Fault(throttle(), api="resourcing"),
        Fault(Response(500, {"error": "boom", "echo": "Authorization header received"}), api="workhub"),
    ]


EVERY_FAILURE = [
    "agency/clients: GET /agency/api/workspace/clients answered HTTP 200 with text/html instead of JSON",
    "datasync/jobs: GET /datasync/v1/jobs answered HTTP 401 Unauthorized. The API rejected the credentials",
    "taskrouter/workspaces: GET /elsewhere was not sent: it would go to http://127.0.0.2:9/elsewhere",
    "resourcing/logged_time: GET /resourcing/v3/logged-time answered HTTP 429",
    "workhub/tasks: GET /workhub/api/1.0/tasks answered HTTP 500",
]


def test_dlt_trace_state_and_load_packages_hold_no_secret(make_project, tmp_path, monkeypatch, leak_check, caplog):
    caplog.set_level(logging.DEBUG, logger="dlt")  # dlt's most talkative logging, request details included
    set_policy(monkeypatch, **FAST_RETRIES)
    project = make_project(sizes={"taskrouter": {"workspaces": 120, "workers": 1}})
    warehouse = tmp_path / "dlt_direct.duckdb"
    pipelines = {}
    for api in load_apis():
        connection = run_credentials(api)
        pipeline = dlt.pipeline(pipeline_name=f"direct_{api.name}", pipelines_dir=str(tmp_path / "dlt_direct"),
                                destination=dlt.destinations.duckdb(str(warehouse)), dataset_name=api.name)
        pipeline.run(build_source(api, connection).with_resources(ONE_PER_API[api.name]), loader_file_format="jsonl")
        pipelines[api.name] = (pipeline, api, connection)

    break_every_api(project.sim, "http://127.0.0.2:9/elsewhere")
    for name, (pipeline, api, connection) in pipelines.items():
        with pytest.raises(Exception):
            pipeline.run(build_source(api, connection).with_resources(ONE_PER_API[name]), loader_file_format="jsonl")
        trace = pipeline.last_trace
        leak_check.scan_text(f"dlt trace of {name}", repr(trace) + str(trace) + json.dumps(trace.asdict(), default=str))
        leak_check.scan_text(f"dlt state of {name}", json.dumps(pipeline.state, default=str))

    files = [path.name for path in (tmp_path / "dlt_direct").rglob("*") if path.is_file()]
    assert "trace.pickle" in files and "state.json" in files and any(".jsonl" in f or f.endswith(".gz") for f in files)
    leak_check.scan_warehouse(warehouse)  # files under tmp_path are scanned when the test ends


def test_cli_output_and_dagster_storage_hold_no_secret_when_every_api_fails(make_project, tmp_path, monkeypatch, leak_check):
    project = make_project(sizes={"taskrouter": {"workspaces": 120, "workers": 1}})
    break_every_api(project.sim, "http://127.0.0.2:9/elsewhere")
    env = {**cli_env(project, tmp_path), **{f"REST_ASSETS_HTTP_{k.upper()}": str(v) for k, v in FAST_RETRIES.items()}}

    process = start_cli(env, ",".join(f"{api}/{table}" for api, table in ONE_PER_API.items()))
    finish(process, leak_check)  # scans the output; DAGSTER_HOME's files are scanned when the test ends

    assert process.returncode != 0
    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    with DagsterInstance.get() as instance:
        leak_check.scan_instance(instance)
        (run,) = instance.get_run_records()
        failures = [e.dagster_event.step_failure_data.error.message
                    for e in instance.all_logs(run.dagster_run.run_id, of_type=DagsterEventType.STEP_FAILURE)]
    for failure in EVERY_FAILURE:  # from the event log: step processes interleave their output lines
        assert any(failure in message for message in failures), failure


@pytest.mark.plants_secrets
def test_the_leak_check_finds_a_planted_secret_in_every_place_it_looks(tmp_path):
    secret = CANARY.agency_api_token
    root = tmp_path / "planted"
    (root / "logs").mkdir(parents=True)
    (root / "logs" / "compressed.gz").write_bytes(gzip.compress(f"token={secret}".encode()))
    with duckdb.connect(str(root / "warehouse.duckdb")) as db:
        db.sql("create schema agency")
        db.sql(f"create table agency.clients as select 'Bearer {secret}' as note")

    @asset
    def chatty(context):
        context.log.info(f"calling with {secret}")

    project = FaultProject.of(FaultProject(sim=None, duckdb_path=root / "warehouse.duckdb", data_dir=root), root)
    materialize([chatty], instance=project.instance)

    check = LeakCheck(root)
    check.projects.append(project)
    check.scan_text("stdout", f"Authorization: Bearer {secret}")
    check.scan_everything()

    places = "\n".join(check.findings)
    assert "stdout" in places and "compressed.gz" in places
    assert "warehouse table agency.clients" in places and "event log" in places
    with pytest.raises(AssertionError, match="secrets leaked"):
        check.assert_clean()
