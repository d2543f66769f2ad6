"""With resources extracted in parallel, a failure names the resource whose request failed, and its path."""

from __future__ import annotations

import re
import threading

import pytest

from rest_assets.apis import load_apis
from rest_assets_sim import Response

from .helpers import FAST_RETRIES, failure_text, set_policy

pytestmark = pytest.mark.faults

# Both first requests are held until the other has arrived too, then fail differently.
FAILING = {"time_off": Response(503, {"error": "unavailable"}), "status": Response(500, {"error": "internal"})}


def test_two_resources_failing_at_once_are_each_named_with_their_own_request(make_project, monkeypatch):
    set_policy(monkeypatch, **FAST_RETRIES)
    project = make_project()
    both_in_flight, seen, lock = threading.Barrier(2), set(), threading.Lock()

    def fail_together(ctx):
        if ctx.api != "resourcing" or ctx.resource not in FAILING:
            return None
        with lock:
            first = ctx.resource not in seen
            seen.add(ctx.resource)
        if first:
            try:
                both_in_flight.wait(timeout=30)
            except threading.BrokenBarrierError:
                pass
        return FAILING[ctx.resource]

    project.sim.hooks.append(fail_together)

    result = project.materialize("resourcing", raise_on_error=False)

    assert not result.success and not both_in_flight.broken
    message = failure_text(result)
    named = re.findall(r"resourcing/(\w+): GET (\S+) answered HTTP (\d+)", message)
    resourcing = next(api for api in load_apis() if api.name == "resourcing")
    expected = {(name, f"/resourcing/v3{resourcing.endpoint_path(name)}", str(FAILING[name].status)) for name in FAILING}
    assert named and set(named) <= expected, message
