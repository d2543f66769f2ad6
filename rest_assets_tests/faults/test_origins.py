"""A next-page link or redirect to another origin. The project refuses it: the run fails naming the
link's origin, and nothing (least of all a credential) is sent there. A trap server stands at each
other origin and must see no request at all."""

from __future__ import annotations

from typing import Iterator

import pytest

from rest_assets.engine.http import HttpPolicy, api_session
from rest_assets_sim import CA_BUNDLE, Simulator
from rest_assets_sim.faults import Fault, alter, redirect

from .helpers import failure_text

pytestmark = pytest.mark.faults

CONNECTIONS_PAGE_2 = "/datasync/v1/connections?limit=100&offset=100"


@pytest.fixture
def trap(leak_check) -> Iterator[Simulator]:
    """A server on another loopback host (127.0.0.2): whatever reaches it is logged."""
    with Simulator(host="127.0.0.2") as sim:
        leak_check.watch_simulator(sim)
        yield sim


def next_link_to(url: str) -> Fault:
    return Fault(alter(lambda body: {**body, "next": url}), api="datasync", resource="connections", where=lambda ctx: "offset" not in ctx.query)


@pytest.mark.parametrize("link", ["other-port", "other-host", "user-at-other-host"])
def test_a_next_link_to_another_origin_is_refused_and_the_trap_sees_nothing(make_project, trap, link):
    project = make_project(sizes={"datasync": {"connections": 150}})
    assert project.materialize("datasync/connections").success
    other_port = Simulator(host="127.0.0.1").start()
    try:
        target = {
            "other-port": f"{other_port.root_url}{CONNECTIONS_PAGE_2}",
            "other-host": f"{trap.root_url}{CONNECTIONS_PAGE_2}",
            # Looks like the API to a careless reader; the host is the trap's.
            "user-at-other-host": f"http://{project.sim.root_url.split('//')[1]}@{trap.root_url.split('//')[1]}{CONNECTIONS_PAGE_2}",
        }[link]
        project.sim.hooks.append(next_link_to(target))

        result = project.materialize("datasync/connections", raise_on_error=False)

        shown_host = other_port.root_url if link == "other-port" else trap.root_url
        message = failure_text(result)
        assert not result.success
        assert f"datasync/connections: GET /datasync/v1/connections was not sent: it would go to {shown_host}/datasync/v1/connections" in message
        assert "outside the API's own origin" in message and "offset=" not in message
        assert trap.requests == [] and other_port.requests == []
        assert project.count("datasync", "connections") == 150, "the table keeps its rows"
    finally:
        other_port.stop()


def test_a_user_name_in_a_link_to_the_api_itself_is_refused(make_project):
    project = make_project(sizes={"datasync": {"connections": 150}})
    host = project.sim.root_url.split("//")[1]
    project.sim.hooks.append(next_link_to(f"http://someone@{host}{CONNECTIONS_PAGE_2}"))

    result = project.materialize("datasync/connections", raise_on_error=False)

    assert "with a user name in the link" in failure_text(result)
    assert [r.query for r in project.sim.requests if r.path == "/v1/connections"] == [{}], "only the first page was asked for"


def test_a_next_link_that_downgrades_https_to_http_is_refused(make_project, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", CA_BUNDLE)  # trust the simulator's test certificate
    project = make_project(sizes={"taskrouter": {"workspaces": 120, "workers": 1}}, tls=True)
    assert project.sim.root_url.startswith("https://")
    plain = project.sim.root_url.replace("https://", "http://")
    project.sim.hooks.append(Fault(alter(lambda body: {**body, "meta": {**body["meta"], "next_page_url": body["meta"]["next_page_url"].replace("https://", "http://")}}),
                                   api="taskrouter", resource="workspaces"))

    result = project.materialize("taskrouter/workspaces", raise_on_error=False)

    message = failure_text(result)
    assert not result.success
    assert f"taskrouter/workspaces: GET /taskrouter/v1/resource was not sent: it would go to {plain}/taskrouter/v1/resource" in message
    assert f"outside the API's own origin ({project.sim.root_url})" in message
    assert len(project.sim.requests) == 1


def test_a_redirect_to_another_origin_is_refused_before_the_api_key_header_travels(make_project, trap):
    """requests drops Authorization on a cross-host redirect, but not a custom header like workhub's api_key."""
    project = make_project(sizes={"workhub": {"tasks": 150}})
    project.sim.hooks.append(Fault(redirect(f"{trap.root_url}/workhub/api/1.0/tasks"), api="workhub", resource="tasks",
                                   where=lambda ctx: "pageToken" in ctx.query))

    result = project.materialize("workhub/tasks", raise_on_error=False)

    assert not result.success
    assert f"was not sent: it would go to {trap.root_url}/workhub/api/1.0/tasks" in failure_text(result)
    assert trap.requests == []


def test_a_redirect_within_the_api_origin_is_followed(make_project):
    project = make_project(sizes={"workhub": {"tasks": 150}})
    moved = Fault(lambda ctx: redirect(f"{project.sim.base_urls['workhub']}/api/1.0/tasks?limit=100&pageToken={ctx.query['pageToken']}&moved=1"),
                  api="workhub", resource="tasks", where=lambda ctx: "pageToken" in ctx.query and "moved" not in ctx.query)
    project.sim.hooks.append(moved)

    assert project.materialize("workhub/tasks").success
    assert project.count("workhub", "tasks") == 150 and moved.answered == 1


def test_a_session_without_the_origins_it_may_send_to_cannot_be_made():
    with pytest.raises(ValueError, match="needs the URLs it may send to"):
        api_session(HttpPolicy(), [])
