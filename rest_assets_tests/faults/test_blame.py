"""With resources extracted in parallel, a failure names the resource whose request failed, and its path."""

from __future__ import annotations

import re
import threading

import pytest

from rest_assets.orchestration.loading import load_apis
from rest_assets_sim import Response

from .helpers import failure_text, set_policy

pytestmark = pytest.mark.faults

# Each resource's requests fail in its own way. The first ones are held until all four are in flight, then
# answered 50 ms apart: by the time the last one fails, the others are waiting to retry.
FAILING = {
    "time_off": Response(503, {"error": "unavailable"}),
    "status": Response(500, {"error": "internal"}, delay_seconds=0.05),
    "phases": Response(502, {"error": "bad gateway"}, delay_seconds=0.1),
    "people": Response(504, {"error": "gateway timeout"}, delay_seconds=0.15),
}
# Backoff long enough that a retry is still waiting for its turn when the run gives up on the API.
SLOW_ENOUGH_RETRIES = {"backoff_factor": 0.5, "max_retry_delay_seconds": 5}


def fail_at_once(resources: dict[str, Response]):
    """A hook: the resources' first requests wait for each other, then each answers its own failure."""
    all_in_flight, seen, lock = threading.Barrier(len(resources)), set(), threading.Lock()

    def hook(ctx):
        if ctx.api != "resourcing" or ctx.resource not in resources:
            return None
        with lock:
            first = ctx.resource not in seen
            seen.add(ctx.resource)
        if first:
            try:
                all_in_flight.wait(timeout=30)
            except threading.BrokenBarrierError:
                pass
        return resources[ctx.resource]

    hook.barrier = all_in_flight
    return hook


def test_resources_failing_differently_at_once_are_each_named_with_their_own_request(make_project, monkeypatch):
    set_policy(monkeypatch, **SLOW_ENOUGH_RETRIES)
    project = make_project()
    failing = fail_at_once(FAILING)
    project.sim.hooks.append(failing)

    result = project.materialize("resourcing", raise_on_error=False)

    assert not result.success and not failing.barrier.broken
    message = failure_text(result)
    named = set(re.findall(r"resourcing/(\w+): GET (\S+) answered HTTP (\d+)", message))
    resourcing = next(api for api in load_apis() if api.name == "resourcing")
    own_requests = {(name, f"/resourcing/v3{resourcing.endpoints[name].path}", str(FAILING[name].status)) for name in FAILING}
    assert named and named <= own_requests, message
