"""Throttling and server errors. Retry-After is honoured (or refused past the cap), the retry
budget is the documented one (3 retries, factor 2) and bounds the whole run, and a page that recovers loses nothing."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest
import yaml

from rest_assets_sim import Response
from rest_assets_sim.faults import Fault, throttle

from rest_assets_tests.conftest import REPO_ROOT

from .helpers import FAST_RETRIES, SECOND_AGENCY_PAGE, failure_text, set_policy

pytestmark = pytest.mark.faults

def request_clock(sim, resource: str) -> list[float]:
    """Wall-clock times of the requests to `resource`, recorded by a first hook that answers nothing."""
    times: list[float] = []
    sim.hooks.insert(0, lambda ctx: times.append(time.time()) if ctx.resource == resource else None)
    return times


def test_retry_after_in_seconds_is_waited_out_with_the_seed_policy(make_project):
    project = make_project(sizes={"agency": {"clients": 150}})
    times = request_clock(project.sim, "clients")
    project.sim.hooks.append(Fault(throttle("2"), nth={1}, **SECOND_AGENCY_PAGE))

    assert project.materialize("agency/clients").success

    statuses = [r.status for r in project.sim.requests if r.path.endswith("/clients")]
    assert statuses == [200, 429, 200]
    assert times[2] - times[1] >= 2.0, "the retry must wait at least the Retry-After seconds"
    assert project.count("agency", "clients") == 150


def test_retry_after_as_http_date_is_waited_out(make_project):
    project = make_project(sizes={"agency": {"clients": 150}})
    times = request_clock(project.sim, "clients")
    retry_at: list[float] = []

    def until_a_date(ctx):
        retry_at.append(int(time.time()) + 3)  # HTTP-dates have whole seconds
        return throttle(formatdate(retry_at[0], usegmt=True))

    project.sim.hooks.append(Fault(until_a_date, nth={1}, **SECOND_AGENCY_PAGE))
    assert project.materialize("agency/clients").success

    assert times[2] >= retry_at[0], "the retry must not come before the date Retry-After names"
    assert project.count("agency", "clients") == 150


def test_retry_after_beyond_the_cap_fails_at_once_instead_of_retrying_early(make_project):
    project = make_project(sizes={"agency": {"clients": 150}})
    assert project.materialize("agency/clients").success
    before = project.query("select * from agency.clients order by id")
    project.sim.clear_requests()
    project.sim.hooks.append(Fault(throttle("120"), **SECOND_AGENCY_PAGE))

    started = time.monotonic()
    result = project.materialize("agency/clients", raise_on_error=False)

    assert not result.success
    assert time.monotonic() - started < 10, "no waiting: the API asked for more than the cap allows"
    assert [r.status for r in project.sim.requests] == [200, 429], "no early retry"
    message = failure_text(result)
    assert "agency/clients: GET /agency/api/workspace/clients answered HTTP 429" in message
    assert "retry after 120 s, more than the 60 s cap" in message and "REST_ASSETS_HTTP_MAX_RETRY_DELAY_SECONDS" in message
    assert project.query("select * from agency.clients order by id") == before


def test_503_forever_stops_within_the_seed_retry_budget_and_advances_no_state(make_project):
    """The real seed timing: 4 attempts, waits of 2, 4 and 8 s."""
    project = make_project(sizes={"resourcing": {"logged_time": 50}})
    assert project.materialize("resourcing/logged_time").success
    before = project.query("select * from resourcing.logged_time order by id")
    project.sim.update_rows("resourcing", "logged_time", [3], {"note": "edited"})
    down = Fault(throttle(status=503), api="resourcing", resource="logged_time")
    project.sim.hooks.append(down)
    project.sim.clear_requests()

    started = time.monotonic()
    result = project.materialize("resourcing/logged_time", raise_on_error=False)
    elapsed = time.monotonic() - started

    assert not result.success
    failed = [r for r in project.sim.requests if r.path == "/logged-time"]
    assert [r.status for r in failed] == [503] * 4, "1 attempt + the documented 3 retries, no more"
    assert 14 <= elapsed < 30, f"backoff factor 2 waits 2 + 4 + 8 s; took {elapsed:.1f} s"
    assert "answered HTTP 503" in failure_text(result)
    assert project.query("select * from resourcing.logged_time order by id") == before

    project.sim.hooks.remove(down)
    project.sim.clear_requests()
    assert project.materialize("resourcing/logged_time").success
    cursor = {r.query["modified_since"] for r in project.sim.requests if r.path == "/logged-time"}
    assert cursor == {failed[0].query["modified_since"]}, "the failed run must not have moved the cursor"
    assert project.query("select note from resourcing.logged_time where id = 3") == [("edited",)]


def test_429_forever_stops_after_the_retry_budget(make_project, monkeypatch):
    set_policy(monkeypatch, **FAST_RETRIES)
    project = make_project()
    project.sim.hooks.append(Fault(throttle(), api="workhub", resource="tasks"))

    result = project.materialize("workhub/tasks", raise_on_error=False)

    assert not result.success
    assert [r.status for r in project.sim.requests] == [429] * 4
    assert "workhub/tasks: GET /workhub/api/1.0/tasks answered HTTP 429" in failure_text(result)


def test_every_api_failing_at_once_costs_each_at_most_one_retry_budget(make_project, monkeypatch):
    """No storm: dlt's retries are the only ones (no Dagster retry policy, no run retry), and the
    first page that exhausts them ends its API's run."""
    set_policy(monkeypatch, **FAST_RETRIES)
    project = make_project()
    project.sim.hooks.append(lambda ctx: throttle(status=503) if ctx.resource else None)  # the token endpoint still works

    result = project.materialize(raise_on_error=False)

    assert not result.success and len(result.get_step_failure_events()) == 5
    for api in ("taskrouter", "agency", "resourcing", "workhub", "datasync"):
        attempts = [r for r in project.sim.requests if r.api == api and r.status == 503]
        assert len(attempts) == 4, f"{api}: {len(attempts)} requests"
    assert len(project.instance.get_run_records()) == 1, "the run is not retried"
    defs = project.definitions()
    assert all(assets.op.retry_policy is None for assets in defs.assets), "no Dagster retry on top of dlt's"
    assert all(s.job.tags.get("dagster/retry_on_asset_or_op_failure") == "false" for s in defs.schedules)
    deployed = yaml.safe_load((REPO_ROOT / "deploy" / "dagster.yaml").read_text())
    assert deployed["run_retries"]["retry_on_asset_or_op_failure"] is False, "run retries only for crashed runs"


MIDDLE_PAGES = {
    "agency/clients": {"api": "agency", "resource": "clients", "where": lambda ctx: ctx.query.get("startingAfter") == "100"},
    "resourcing/people": {"api": "resourcing", "resource": "people", "where": lambda ctx: ctx.query.get("page") == "2"},
    "datasync/jobs": {"api": "datasync", "resource": "jobs", "where": lambda ctx: ctx.query.get("offset") == "100"},
}


@pytest.mark.parametrize("asset", sorted(MIDDLE_PAGES))
def test_503_503_200_on_a_middle_page_loads_exactly_the_rows(make_project, monkeypatch, asset):
    set_policy(monkeypatch, **FAST_RETRIES)
    api, resource = asset.split("/")
    project = make_project(sizes={api: {resource: 450}})
    project.sim.hooks.append(Fault(Response(503, {"error": "unavailable"}), nth={1, 2}, **MIDDLE_PAGES[asset]))

    assert project.materialize(asset).success

    key = "jobId" if api == "datasync" else "id"
    expected = sorted(row[key] for row in project.sim.expected_rows(api, resource))
    assert sorted(project.keys(api, resource, "job_id" if api == "datasync" else "id")) == expected
    assert [r.status for r in project.sim.requests if r.status != 200 and r.path != "/oauth/token"] == [503, 503]
