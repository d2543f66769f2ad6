"""Schedules, sensors, automation and checks, through Dagster's public testing APIs."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest
import yaml
from dagster import (
    AssetKey,
    AssetSelection,
    DagsterInstance,
    DagsterRunStatus,
    FreshnessPolicy,
    RunRequest,
    SkipReason,
    build_run_status_sensor_context,
    build_sensor_context,
    evaluate_automation_conditions,
    materialize,
)

from rest_assets import settings
from rest_assets_tests.conftest import REPO_ROOT, failure_text

LOGGED_TIME = AssetKey(["resourcing", "logged_time"])
WORKSPACES, WORKERS = AssetKey(["taskrouter", "workspaces"]), AssetKey(["taskrouter", "workers"])


@pytest.fixture
def instance():
    with DagsterInstance.ephemeral() as instance:
        yield instance


def run(project, instance, selection, raise_on_error=True):
    """Materialize (or check) into a given instance, so sensors can read its history."""
    defs = project.definitions()
    return materialize(
        list(defs.assets), resources=defs.resources, instance=instance,
        selection=selection, raise_on_error=raise_on_error,
    )


# --- schedules and concurrency ---------------------------------------------------------------


def test_one_job_and_schedule_per_api_logged_time_more_often(project, monkeypatch):
    monkeypatch.setenv("REST_ASSETS_TIMEZONE", "Europe/Berlin")
    repo = project.definitions().get_repository_def()
    schedules = {s.name: s for s in repo.schedule_defs}
    assert set(schedules) == {
        "taskrouter_schedule", "agency_schedule", "resourcing_schedule", "workhub_schedule", "datasync_schedule",
        "resourcing_logged_time_schedule",
    }
    assert schedules["resourcing_logged_time_schedule"].cron_schedule == "*/15 * * * *"
    assert schedules["resourcing_schedule"].cron_schedule == "0 3 * * *"
    assert {s.execution_timezone for s in schedules.values()} == {"Europe/Berlin"}
    job = repo.get_job("resourcing_logged_time_job")
    assert job.tags["rest_assets/api"] == "resourcing"
    assert repo.asset_graph.get(LOGGED_TIME).key in job.asset_layer.executable_asset_keys
    assert len(repo.get_job("agency_job").asset_layer.executable_asset_keys) == 13
    assert schedules["agency_schedule"].description == (
        "Syncs all 13 assets of the agency API from the API at cron 0 3 * * * (Europe/Berlin). Starts stopped: "
        "switch it on once the API's credentials are set (AGENCY_API_TOKEN).")
    assert schedules["resourcing_logged_time_schedule"].description.startswith("Syncs resourcing/logged_time from")


def test_every_schedule_and_sensor_says_what_it_does(project):
    repo = project.definitions().get_repository_def()
    described = {d.name: d.description for d in [*repo.schedule_defs, *repo.sensor_defs]}
    assert len(described) == 6 + 3 and all(described.values()), described
    assert "REST_ASSETS_ALERT_WEBHOOK_URL" in described["rest_assets_failure_alerts"]
    assert "primary-key check" in described["rest_assets_automation"]
    assert "/logged-time" in described["resourcing_logged_time_changes"]


def test_each_api_syncs_in_its_own_pool_limited_to_one_run_by_the_instance_config(project):
    """Run granularity: the pool queues whole runs, those launched from the UI too (test_readme_ui.py runs two)."""
    defs = project.definitions()
    for assets_def in defs.assets:
        api = assets_def.keys_by_output_name and next(iter(assets_def.keys)).path[0]
        assert assets_def.op.pools == {f"{api}_api"}
    local = DagsterInstance.from_config(str(REPO_ROOT / "dagster_home"))
    pools = local.get_concurrency_config().pool_config
    assert (pools.pool_granularity.value, pools.default_pool_limit) == ("run", 1)


def test_every_generated_run_carries_the_maximum_runtime_the_shipped_instances_enforce(project, instance, monkeypatch):
    monkeypatch.setenv("REST_ASSETS_MAX_RUNTIME_SECONDS", "900")
    defs = project.definitions()
    repo = defs.get_repository_def()
    assert {repo.get_job(schedule.job_name).tags["dagster/max_runtime"] for schedule in repo.schedule_defs} == {"900"}
    request = evaluate_change_sensor(project, instance)
    assert request.tags["dagster/max_runtime"] == "900" and request.tags["rest_assets/api"] == "resourcing"
    assert defs.get_sensor_def("rest_assets_automation").run_tags["dagster/max_runtime"] == "900"
    # Runs launched by hand carry no tag: the instances bound them by the setting's default.
    for config in (REPO_ROOT / "dagster_home" / "dagster.yaml", REPO_ROOT / "deploy" / "dagster.yaml"):
        monitoring = yaml.safe_load(config.read_text())["run_monitoring"]
        assert monitoring["enabled"] is True, config
        assert str(monitoring["max_runtime_seconds"]) == settings.MAX_RUNTIME_SECONDS.default, config


# --- change sensor --------------------------------------------------------------------------


def evaluate_change_sensor(project, instance):
    defs = project.definitions()
    sensor = defs.get_sensor_def("resourcing_logged_time_changes")
    with build_sensor_context(instance=instance, resources=defs.resources, definitions=defs) as context:
        return sensor(context)


def test_change_sensor_requests_the_first_load(project, instance):
    request = evaluate_change_sensor(project, instance)
    assert isinstance(request, RunRequest) and request.asset_selection == [LOGGED_TIME]


def test_change_sensor_skips_when_nothing_is_new_and_runs_when_something_is(project, instance):
    assert run(project, instance, [LOGGED_TIME]).success
    project.sim.clear_requests()

    assert isinstance(evaluate_change_sensor(project, instance), SkipReason)
    probes = [r for r in project.sim.requests if r.path == "/logged-time"]
    cursor = max(row["modified"] for row in project.sim.expected_rows("resourcing", "logged_time"))
    assert [p.query["modified_since"] for p in probes] == [cursor], "one cheap request with the saved cursor"

    project.sim.update_rows("resourcing", "logged_time", [3], {"minutes": 5})
    request = evaluate_change_sensor(project, instance)
    assert isinstance(request, RunRequest) and request.asset_selection == [LOGGED_TIME]
    assert request.run_key == f"after-{cursor}"


# --- declarative automation -----------------------------------------------------------------


def test_workers_follow_workspaces_through_automation(make_project, instance):
    project = make_project(sizes={"taskrouter": {"workspaces": 2, "workers": 3}})
    defs = project.definitions()
    assert defs.get_sensor_def("rest_assets_automation").default_status.value == "RUNNING"
    assert run(project, instance, [WORKSPACES, WORKERS]).success
    first = evaluate_automation_conditions(defs=defs, instance=instance)
    assert first.total_requested == 0, "both are fresh"

    assert run(project, instance, [WORKSPACES]).success
    second = evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
    assert second.get_requested_partitions(WORKERS) == {None}
    assert second.get_requested_partitions(WORKSPACES) == set()


def test_a_parents_broken_keys_fail_the_run_and_hold_back_its_child(make_project, instance):
    project = make_project(sizes={"taskrouter": {"workspaces": 2, "workers": 3}})
    defs = project.definitions()
    assert run(project, instance, [WORKSPACES, WORKERS]).success
    first = evaluate_automation_conditions(defs=defs, instance=instance)
    with duckdb.connect(str(project.duckdb_path)) as db:  # one key twice, on rows the API does not list: a sync keeps them
        db.sql("insert into taskrouter.workspaces select * replace ('WS-not-listed' as sid) from taskrouter.workspaces")

    parent_only = run(project, instance, [WORKSPACES], raise_on_error=False)

    assert not parent_only.success, "a failed key check fails the run"
    assert "blocking asset check" in failure_text(parent_only)
    assert [e.asset_key for e in parent_only.get_asset_materialization_events()] == [WORKSPACES], "the load is recorded"
    key_check = check_results(parent_only)[("taskrouter/workspaces", "primary_key_unique_and_not_null")]
    assert not key_check.passed and key_check.severity.value == "ERROR" and key_check.metadata["duplicate_keys"].value == 1
    held = evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
    assert held.get_requested_partitions(WORKERS) == set(), "the child does not follow a parent whose keys broke"

    with duckdb.connect(str(project.duckdb_path)) as db:
        db.sql("delete from taskrouter.workspaces where sid = 'WS-not-listed'")
    assert run(project, instance, AssetSelection.checks_for_assets(WORKSPACES)).success
    released = evaluate_automation_conditions(defs=defs, instance=instance, cursor=held.cursor)
    assert released.get_requested_partitions(WORKERS) == {None}, "it follows again once the keys pass"


# --- failure alerts -------------------------------------------------------------------------


class Webhook:
    """A loopback HTTP endpoint that records what is posted to it."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"


def test_failure_alert_names_api_assets_and_error_without_secrets(project, instance, monkeypatch):
    webhook = Webhook()
    monkeypatch.setenv("REST_ASSETS_ALERT_WEBHOOK_URL", webhook.url)
    monkeypatch.setenv("AGENCY_API_TOKEN", "canary-secret-7d1e")
    result = run(project, instance, [AssetKey(["agency", "clients"])], raise_on_error=False)
    assert not result.success

    defs = project.definitions()
    dagster_run = instance.get_run_by_id(result.run_id)
    assert dagster_run.status == DagsterRunStatus.FAILURE
    failure = next(e for e in instance.all_logs(result.run_id) if e.dagster_event and e.dagster_event.is_run_failure)
    context = build_run_status_sensor_context(
        sensor_name="rest_assets_failure_alerts", dagster_event=failure.dagster_event,
        dagster_instance=instance, dagster_run=dagster_run, repository_def=defs.get_repository_def(),
    ).for_run_failure()
    defs.get_sensor_def("rest_assets_failure_alerts")(context)

    (alert,) = webhook.received
    assert alert["apis"] == ["agency"] and alert["assets"] == ["agency/clients"]
    assert "agency/clients" in alert["error"] and "HTTP 401" in alert["error"] and "AGENCY_API_TOKEN" in alert["error"]
    assert "canary-secret-7d1e" not in json.dumps(alert)
    webhook.server.shutdown()


# --- asset checks ---------------------------------------------------------------------------


def check_results(result) -> dict[tuple[str, str], object]:
    return {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}


def test_every_asset_has_a_key_check(project):
    graph = project.definitions().resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        names = {check.name for check in graph.get_check_keys_for_assets([key])}
        assert names == {"primary_key_unique_and_not_null"}, key


def test_every_asset_must_be_fresh_by_each_tick_of_its_fastest_schedule(project, monkeypatch):
    monkeypatch.setenv("REST_ASSETS_TIMEZONE", "Europe/Berlin")
    graph = project.definitions().resolve_asset_graph()
    policies = {key.to_user_string(): graph.get(key).freshness_policy for key in graph.get_all_asset_keys()}
    assert policies["resourcing/logged_time"] == FreshnessPolicy.cron("*/15 * * * *", timedelta(minutes=15), "Europe/Berlin")
    daily = FreshnessPolicy.cron("0 3 * * *", timedelta(days=1), "Europe/Berlin")
    assert {key for key, policy in policies.items() if policy != daily} == {"resourcing/logged_time"}


def test_checks_pass_on_a_clean_table_and_fail_on_a_corrupted_one(project, instance):
    clients = AssetKey(["agency", "clients"])
    table_checks = AssetSelection.checks_for_assets(clients)
    synced = run(project, instance, AssetSelection.assets(clients) | table_checks)  # in the sync's step
    assert check_results(synced)[("agency/clients", "primary_key_unique_and_not_null")].passed
    (materialization,) = synced.asset_materializations_for_node("agency_sync")
    assert materialization.metadata["dagster/row_count"].value == 30
    passed = check_results(run(project, instance, table_checks))  # on their own
    assert list(passed) == [("agency/clients", "primary_key_unique_and_not_null")]
    assert passed[("agency/clients", "primary_key_unique_and_not_null")].passed

    with duckdb.connect(str(project.duckdb_path)) as db:  # corrupt: a duplicate key (DuckDB itself refuses null keys)
        db.sql("insert into agency.clients select * from agency.clients limit 1")
    checks_only = run(project, instance, table_checks, raise_on_error=False)
    assert not checks_only.success, "the key check is blocking: its failure fails the run"
    failed = check_results(checks_only)
    evaluation = failed[("agency/clients", "primary_key_unique_and_not_null")]
    assert not evaluation.passed and evaluation.severity.value == "ERROR"
    assert evaluation.metadata["duplicate_keys"].value == 1 and evaluation.metadata["null_keys"].value == 0


# --- metadata and progress -------------------------------------------------------------------


def test_assets_are_described_owned_tagged_and_kinded(project):
    graph = project.definitions().resolve_asset_graph()
    first_lines = []
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description and node.owners == ["team:data-engineering"]
        assert {"dagster/kind/dlt", "dagster/kind/duckdb"} <= set(node.tags) and node.tags["api"] == key.path[0]
        assert node.metadata["endpoint"].startswith("/")
        first_lines.append(node.description.split("\n")[0])
    # The catalog shows the start of each description unrendered: what the asset is, in plain text.
    assert len(set(first_lines)) == len(first_lines) == 43
    assert not [line for line in first_lines if "`" in line or "*" in line]
    assert graph.get(AssetKey(["agency", "clients"])).description.startswith(
        "Clients of the agency API: GET /api/workspace/clients.\n\nAgency management")
    assert graph.get(WORKERS).description.split("\n")[0].endswith(", for each row of taskrouter/workspaces.")


def test_materialization_records_cursor_and_progress_reaches_the_run_log(project, instance, monkeypatch):
    monkeypatch.setenv("REST_ASSETS_PROGRESS_LOG_SECONDS", "0")
    result = run(project, instance, [LOGGED_TIME])
    (materialization,) = result.asset_materializations_for_node("resourcing_sync")
    cursor = max(row["modified"] for row in project.sim.expected_rows("resourcing", "logged_time"))
    assert materialization.metadata["incremental_cursor"].value == cursor
    lines = progress_lines(instance, result)
    assert any("logged_time" in m for m in lines if "Extract" in m), "dlt progress in the Dagster log"
    assert {"Extract", "Normalize", "Load"} <= {m.split()[1] for m in lines}

    monkeypatch.delenv("REST_ASSETS_PROGRESS_LOG_SECONDS")
    result = run(project, instance, [LOGGED_TIME])
    assert result.success and not progress_lines(instance, result), "steps shorter than 10 s write no progress"


def progress_lines(instance, result) -> list[str]:
    """dlt's progress in a run's log: each a block headed `---- <step> <source> ----`."""
    messages = [e.user_message for e in instance.all_logs(result.run_id) if not e.is_dagster_event]
    return [m for m in messages if m.startswith("-" * 10)]
