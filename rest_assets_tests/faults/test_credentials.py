"""A token that dies mid-run gets one refresh and one retry, never a loop; wrong
credentials fail after one request, naming the HTTP status and the env vars to check."""

from __future__ import annotations

import pytest

from rest_assets_sim import Response
from rest_assets_sim.faults import Fault
from rest_assets_tests.conftest import WRONG_CREDENTIAL

from .helpers import failure_text

pytestmark = pytest.mark.faults

TOKEN = "/oauth/token"


def statuses(project) -> list[tuple[str, int]]:
    return [(r.path, r.status) for r in project.sim.requests]


def test_a_token_that_expires_mid_run_is_refreshed_once_and_the_request_retried(make_project):
    project = make_project(sizes={"datasync": {"jobs": 450}})

    def expire_all_tokens(ctx):
        project.sim.expire_tokens()  # server side, before the client's own early refresh would notice
        return None

    project.sim.hooks.append(Fault(expire_all_tokens, api="datasync", resource="jobs", nth={3}))

    assert project.materialize("datasync/jobs").success

    log = statuses(project)
    assert log[:6] == [(TOKEN, 200), ("/v1/jobs", 200), ("/v1/jobs", 200), ("/v1/jobs", 401), (TOKEN, 200), ("/v1/jobs", 200)]
    assert log[6:] and set(log[6:]) == {("/v1/jobs", 200)}, "one refresh, then the rest of the pages"
    assert sorted(project.keys("datasync", "jobs", "job_id")) == list(range(1, 451))


def test_a_401_on_a_fresh_token_fails_after_one_refresh_and_one_retry(make_project):
    project = make_project()
    project.sim.hooks.append(Fault(Response(401, {"error": "unauthorized"}), api="datasync", resource="jobs"))

    result = project.materialize("datasync/jobs", raise_on_error=False)

    assert not result.success
    assert statuses(project) == [(TOKEN, 200), ("/v1/jobs", 401), (TOKEN, 200), ("/v1/jobs", 401)], "no loop"
    message = failure_text(result)
    assert "datasync/jobs: GET /datasync/v1/jobs answered HTTP 401 Unauthorized." in message
    assert "check DATASYNC_CLIENT_ID, DATASYNC_CLIENT_SECRET" in message


WRONG = "CANARY-wrong-secret-9e2f"


@pytest.mark.parametrize("api", sorted(WRONG_CREDENTIAL))
def test_wrong_credentials_fail_after_one_request_naming_status_and_env_var(make_project, monkeypatch, leak_check, api):
    leak_check.add_secret(WRONG)
    project = make_project()
    monkeypatch.setenv(WRONG_CREDENTIAL[api], WRONG)

    result = project.materialize(api, raise_on_error=False)

    assert not result.success
    assert len(project.sim.requests) == 1 and project.sim.requests[0].status == 401
    message = failure_text(result)
    assert f"{api}/" in message and "answered HTTP 401" in message
    assert f"check {WRONG_CREDENTIAL[api]}" in message or f", {WRONG_CREDENTIAL[api]}" in message
