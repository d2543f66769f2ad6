"""Rate limits, against the simulator's own limit: requests paced to `requests_per_second`, the API's
rate-limit headers obeyed by every thread, 429s that say how long to wait waited out by all without using
up the run's retry budget, and an API that is really down still stopped by one retry budget."""

from __future__ import annotations

import threading
import time

import pytest

from rest_assets_sim import RateLimit, Response
from rest_assets_sim.faults import Fault, slow, throttle

from .helpers import FAST_RETRIES, failure_text, set_policy

pytestmark = pytest.mark.faults

LIMIT = 40  # requests per second
# 150 workspaces, each one child page of workers: ~155 requests, most of them child pages in parallel.
TASKROUTER = {"taskrouter": {"workspaces": 150, "workers": 2}}


def request_clock(sim, api: str) -> list[float]:
    """Wall-clock arrival times of `api`'s requests, recorded by a first hook that answers nothing."""
    times: list[float] = []
    sim.hooks.insert(0, lambda ctx: times.append(time.time()) if ctx.api == api else None)
    return times


def share_of_429s(project, api: str) -> float:
    statuses = [r.status for r in project.sim.requests if r.api == api]
    return statuses.count(429) / len(statuses)


def assert_exact_taskrouter_rows(project) -> None:
    for table, key in (("workspaces", "sid"), ("workers", "sid")):
        expected = sorted(row[key] for row in project.sim.expected_rows("taskrouter", table))
        assert sorted(project.keys("taskrouter", table, key)) == expected, table


def most_in_any(times: list[float], seconds: float) -> int:
    """The most requests that arrived within any `seconds` of each other."""
    times = sorted(times)
    start, most = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


def test_paced_to_the_limit_a_sync_lands_exact_rows_with_almost_no_429s(make_project, monkeypatch):
    set_policy(monkeypatch, requests_per_second=LIMIT)
    project = make_project(sizes=TASKROUTER, rate_limit=RateLimit(LIMIT))
    times = request_clock(project.sim, "taskrouter")

    assert project.materialize("taskrouter").success

    assert_exact_taskrouter_rows(project)
    assert share_of_429s(project, "taskrouter") < 0.02
    assert most_in_any(times, 0.25) <= LIMIT * 0.25 + 2, "spread out at the pace, not in bursts"
    assert times[-1] - times[0] >= (len(times) - 1) / LIMIT * 0.9, "no faster than the limit"


@pytest.mark.parametrize("headers", ["x-ratelimit", "ietf"])
def test_without_a_pace_the_headers_alone_keep_every_thread_within_the_limit(make_project, headers):
    """X-RateLimit-Reset as an epoch second; the IETF RateLimit-Reset in seconds."""
    project = make_project(sizes=TASKROUTER, rate_limit=RateLimit(LIMIT, headers=headers))

    assert project.materialize("taskrouter").success

    assert_exact_taskrouter_rows(project)
    assert share_of_429s(project, "taskrouter") < 0.05, "threads wait for the reset instead of each finding out"


def test_one_429_stops_every_thread_until_its_retry_after(make_project):
    project = make_project(sizes={"agency": {"clients": 450}})
    times = request_clock(project.sim, "agency")
    throttled_at: list[float] = []

    def slow_down(ctx):
        throttled_at.append(time.time())
        return throttle("2")

    project.sim.hooks.append(Fault(slow_down, api="agency", nth={4}))

    assert project.materialize("agency").success

    quiet = [t for t in times if throttled_at[0] + 0.3 < t < throttled_at[0] + 1.8]
    assert quiet == [], "no thread sends while the API's Retry-After runs"
    assert sorted(project.keys("agency", "clients", "id")) == list(range(1, 451))


def test_a_storm_of_429s_within_the_cap_uses_no_retry_budget(make_project):
    """Five requests in flight at once all answered 429 (more than the 4 attempts of one retry budget)."""
    project = make_project(sizes={"agency": {"clients": 250}})
    in_flight = threading.Barrier(5)

    def all_at_once(ctx):
        try:
            in_flight.wait(timeout=30)
        except threading.BrokenBarrierError:
            return None
        return throttle("1")

    storm = Fault(all_at_once, api="agency", nth={2, 3, 4, 5, 6})
    project.sim.hooks.append(storm)

    assert project.materialize("agency").success

    assert storm.answered == 5 and not in_flight.broken
    for resource in ("clients", "projects", "invoices"):
        expected = sorted(row["id"] for row in project.sim.expected_rows("agency", resource))
        assert sorted(project.keys("agency", resource, "id")) == expected, resource


def test_an_api_down_mid_run_with_requests_in_flight_still_costs_one_retry_budget(make_project, monkeypatch):
    set_policy(monkeypatch, **FAST_RETRIES)
    project = make_project(sizes={"agency": {"clients": 250}})
    project.sim.hooks.append(Fault(Response(503, {"error": "unavailable"}), api="agency", nth=range(3, 10_000)))

    started = time.monotonic()
    result = project.materialize("agency", raise_on_error=False)

    assert not result.success
    failed = [r for r in project.sim.requests if r.status == 503]
    # One thread retries (4 attempts); the other requests already in flight fail once each.
    assert 4 <= len(failed) <= 4 + 4, f"{len(failed)} requests to a failing API"
    assert time.monotonic() - started < 60
    assert "answered HTTP 503" in failure_text(result)


def test_a_late_success_sent_before_the_api_went_down_does_not_reopen_it(make_project, monkeypatch):
    # The owner of the closed gate retries at ~0.4, 1.2 and 2.8 s; the answer of the request sent
    # before the outage comes back at ~1 s, between them. Reopening the gate then restarted the budget.
    set_policy(monkeypatch, backoff_factor=0.4, max_retry_delay_seconds=5)
    project = make_project(sizes={"agency": {"clients": 250}})
    project.sim.hooks.append(Fault(Response(503, {"error": "unavailable"}), api="agency", nth=range(3, 10_000)))
    project.sim.hooks.append(Fault(slow(1.0), api="agency", nth={2}))  # sees only what the outage lets through

    result = project.materialize("agency", raise_on_error=False)

    assert not result.success
    failed = [r for r in project.sim.requests if r.status == 503]
    assert 4 <= len(failed) <= 4 + 4, f"{len(failed)} requests to a failing API"
    assert [r.status for r in project.sim.requests].count(200) == 2


def test_a_spent_window_that_resets_beyond_the_cap_fails_at_once(make_project):
    project = make_project(sizes={"workhub": {"tasks": 250}})
    project.sim.hooks.append(Fault(
        Response(429, {"error": "quota"}, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 3600)}),
        api="workhub", resource="tasks", where=lambda ctx: "pageToken" in ctx.query,
    ))

    started = time.monotonic()
    result = project.materialize("workhub/tasks", raise_on_error=False)

    assert not result.success
    assert time.monotonic() - started < 20, "no waiting for a reset an hour away"
    assert [r.status for r in project.sim.requests] == [200, 429], "no early retry"
    message = failure_text(result)
    assert "workhub/tasks: GET /workhub/api/1.0/tasks answered HTTP 429 and asked to retry after 3" in message
    assert "more than the 60 s cap" in message
