"""Bad credentials and missing settings: a clear failure, and the loaded data stays as it was."""

from __future__ import annotations

import subprocess
import sys

import pytest
from dagster import DagsterInvalidConfigError

from rest_assets_tests.conftest import REPO_ROOT, WRONG_CREDENTIAL, clean_env, failure_text



FIRST_TABLE = {"taskrouter": "workspaces", "agency": "clients", "resourcing": "accounts", "workhub": "tasks", "datasync": "jobs"}


@pytest.mark.parametrize("api_name", sorted(WRONG_CREDENTIAL))
def test_wrong_credential_fails_clearly_after_one_request_and_keeps_data(make_project, monkeypatch, api_name):
    project = make_project()
    table = FIRST_TABLE[api_name]
    assert project.materialize(api_name).success
    before = project.query(f"select * from {api_name}.{table} order by all")

    monkeypatch.setenv(WRONG_CREDENTIAL[api_name], "not-the-right-secret")
    project.sim.clear_requests()
    result = project.materialize(api_name, raise_on_error=False)

    assert not result.success
    message = failure_text(result)
    assert f"{api_name}/" in message and "HTTP 401" in message
    assert WRONG_CREDENTIAL[api_name] in message, "the message must say which env var to check"
    assert "not-the-right-secret" not in message
    assert len(project.sim.requests) == 1, "a 401 is not retried"
    assert project.query(f"select * from {api_name}.{table} order by all") == before


def test_missing_credential_names_the_env_var(project, monkeypatch):
    monkeypatch.delenv("AGENCY_API_TOKEN")
    with pytest.raises(DagsterInvalidConfigError, match='environment variable "AGENCY_API_TOKEN" which is not set'):
        project.materialize("agency/clients", raise_on_error=False)
    assert project.sim.requests == []


def test_definitions_load_without_any_env_var():
    script = (
        "from rest_assets.definitions import defs;"
        "print(len(defs.resolve_asset_graph().get_all_asset_keys()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=clean_env(), capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "43"


def test_a_duckdb_file_named_like_an_api_fails_before_any_request(make_project, monkeypatch, tmp_path):
    # DuckDB calls the file's catalog "agency" too: dlt's `agency.<table>` would be ambiguous.
    project = make_project(sizes={"agency": {"clients": 2}, "datasync": {"jobs": 2}})
    monkeypatch.setenv("REST_ASSETS_DUCKDB_PATH", str(tmp_path / "agency.duckdb"))

    result = project.materialize("agency/clients", raise_on_error=False)

    assert not result.success
    assert "agency: the DuckDB file" in failure_text(result)
    assert "named like the API's dataset 'agency'" in failure_text(result)
    assert "REST_ASSETS_DUCKDB_PATH" in failure_text(result)
    assert [r for r in project.sim.requests if r.api == "agency"] == []
    assert project.materialize("datasync/jobs").success  # another API's dataset is no problem there
