"""The UI's view of the project, through dagster-webserver's GraphQL API on loopback."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from rest_assets_tests.conftest import REPO_ROOT, clean_env, free_port, project_env, start_service, stop_service

WEBSERVER = str(Path(sys.executable).with_name("dagster-webserver"))
# Launched runs start at once: no daemon is running to dequeue them.
INSTANCE_CONFIG = """
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
telemetry:
  enabled: false
"""


@pytest.fixture
def webserver(project, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_CONFIG)
    port = free_port()
    env = {**clean_env(), **project_env(project.sim, project.duckdb_path, project.data_dir), "DAGSTER_HOME": str(home)}
    process = start_service(
        [WEBSERVER, "-m", "rest_assets.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            if requests.get(f"{url}/server_info", timeout=2).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.5)
    else:
        pytest.fail("dagster-webserver did not start within 120 s")
    yield GraphQL(f"{url}/graphql")
    stop_service(process)


class GraphQL:
    def __init__(self, url: str):
        self.url = url

    def __call__(self, query: str, **variables) -> dict:
        response = requests.post(self.url, json={"query": query, "variables": variables}, timeout=60)
        response.raise_for_status()
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]


ASSETS = """{ assetNodes { assetKey { path } dependencyKeys { path } groupName kinds
  assetChecksOrError { ... on AssetChecks { checks { name } } }
  internalFreshnessPolicy { ... on CronFreshnessPolicy { deadlineCron lowerBoundDeltaSeconds timezone } } } }"""
LOCATION = """{ workspaceOrError { ... on Workspace { locationEntries { name } } } }"""
SCHEDULES_AND_SENSORS = """query($selector: RepositorySelector!) {
  schedulesOrError(repositorySelector: $selector) { ... on Schedules { results { name cronSchedule } } }
  sensorsOrError(repositorySelector: $selector) { ... on Sensors { results { name sensorType } } } }"""
LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
RUN_STATUS = """query($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }"""
LAUNCHPAD = """query($selector: PipelineSelector!) { runConfigSchemaOrError(selector: $selector) {
  ... on RunConfigSchema { allConfigTypes { ... on CompositeConfigType { fields { name description defaultValueAsJson } } } } } }"""
LATEST_METADATA = """query($key: AssetKeyInput!) { assetNodes(assetKeys: [$key]) { assetMaterializations(limit: 1) {
  metadataEntries { label ... on BoolMetadataEntry { boolValue } ... on IntMetadataEntry { intValue } } } } }"""


def test_ui_shows_graph_lineage_schedules_sensors_checks_and_launches_a_run(webserver, project):
    nodes = {"/".join(n["assetKey"]["path"]): n for n in webserver(ASSETS)["assetNodes"]}
    assert len(nodes) == 43
    assert [d["path"] for d in nodes["taskrouter/workers"]["dependencyKeys"]] == [["taskrouter", "workspaces"]]
    assert {n["groupName"] for n in nodes.values()} == {"taskrouter", "agency", "resourcing", "workhub", "datasync"}
    assert all({"dlt", "duckdb"} <= set(n["kinds"]) for n in nodes.values())
    for node in nodes.values():
        checks = {c["name"] for c in node["assetChecksOrError"]["checks"]}
        assert checks == {"primary_key_unique_and_not_null"}
    assert nodes["resourcing/logged_time"]["internalFreshnessPolicy"] == {
        "deadlineCron": "*/15 * * * *", "lowerBoundDeltaSeconds": 900, "timezone": "UTC"}
    assert all(n["internalFreshnessPolicy"]["deadlineCron"] for n in nodes.values())

    (location,) = webserver(LOCATION)["workspaceOrError"]["locationEntries"]
    selector = {"repositoryLocationName": location["name"], "repositoryName": "__repository__"}
    found = webserver(SCHEDULES_AND_SENSORS, selector=selector)
    schedules = {s["name"]: s["cronSchedule"] for s in found["schedulesOrError"]["results"]}
    assert schedules["resourcing_logged_time_schedule"] == "*/15 * * * *" and len(schedules) == 6
    sensors = {s["name"] for s in found["sensorsOrError"]["results"]}
    assert {"resourcing_logged_time_changes", "rest_assets_automation", "rest_assets_failure_alerts"} <= sensors

    # The Launchpad shows each API op's run config, with defaults and descriptions.
    types = webserver(LAUNCHPAD, selector={**selector, "pipelineName": "agency_job"})["runConfigSchemaOrError"]
    sync_config = next(t["fields"] for t in types["allConfigTypes"] if "full_refresh" in {f["name"] for f in t.get("fields", [])})
    fields = {f["name"]: f for f in sync_config}
    assert set(fields) == {"full_refresh", "start_from", "allow_mass_deletion"}
    assert fields["full_refresh"]["defaultValueAsJson"] == "false" and "complete extract" in fields["full_refresh"]["description"]
    assert "ISO 8601" in fields["start_from"]["description"]

    params = {"selector": {**selector, "jobName": "__ASSET_JOB", "assetSelection": [{"path": ["agency", "clients"]}]},
              "runConfigData": {"ops": {"agency_sync": {"config": {"full_refresh": True}}}}}
    launched = webserver(LAUNCH, params=params)["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline, status = time.monotonic() + 180, None
    while time.monotonic() < deadline and status not in ("SUCCESS", "FAILURE", "CANCELED"):
        time.sleep(1)
        status = webserver(RUN_STATUS, runId=run_id)["runOrError"]["status"]
    assert status == "SUCCESS"
    assert project.count("agency", "clients") == 30
    (node,) = webserver(LATEST_METADATA, key={"path": ["agency", "clients"]})["assetNodes"]
    metadata = {e["label"]: e for e in node["assetMaterializations"][0]["metadataEntries"]}
    assert metadata["full_refresh"]["boolValue"] is True and metadata["rows_deleted"]["intValue"] == 0
