"""Never hang, never loop: an answer that drips or never comes is cut off at its deadline, and a listing that
goes round in circles stops at the first page it had already read. Either way the failing API loads nothing and
the run's other APIs load as usual."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from rest_assets_sim.faults import Fault, alter, disguised_cycle, drip, silent

from .helpers import FAST_RETRIES, SECOND_AGENCY_PAGE, failure_text, set_policy

pytestmark = pytest.mark.faults

NEVER_COMPLETE = [
    pytest.param(drip(chunk_bytes=4, gap_seconds=0.2), id="dripping-body"),  # each gap far below the 60 s read timeout
    pytest.param(silent(), id="silent-server"),  # accepts the request, never answers
]
OTHER_API = "workhub/tasks"


def with_other_api_changed(project) -> str:
    """Rename a task of the other API, which the next run must load whatever happens to the failing one; its id."""
    first = project.sim.expected_rows("workhub", "tasks")[0]["id"]
    project.sim.update_rows("workhub", "tasks", [first], {"taskName": "renamed upstream"})
    return first


def other_api_loaded(project, task_id: str) -> bool:
    return project.query(f"select task_name from workhub.tasks where id = '{task_id}'") == [("renamed upstream",)]


@pytest.mark.parametrize("answer", NEVER_COMPLETE)
def test_an_answer_that_never_completes_fails_at_its_deadline_after_the_usual_retries(make_project, monkeypatch, answer):
    set_policy(monkeypatch, **FAST_RETRIES)
    monkeypatch.setenv("AGENCY_HTTP_RESPONSE_DEADLINE_SECONDS", "1.5")  # this API's own deadline
    project = make_project(sizes={"agency": {"clients": 250}, "workhub": {"tasks": 30}})
    assert project.materialize("agency/clients", OTHER_API).success
    before = project.query("select * from agency.clients order by id")
    project.sim.update_rows("agency", "clients", [1], {"name": "changed"})  # what the failing run would have loaded
    changed_task = with_other_api_changed(project)
    stalled = Fault(answer, **SECOND_AGENCY_PAGE)
    project.sim.hooks.append(stalled)

    result = project.materialize("agency/clients", OTHER_API, raise_on_error=False)

    assert not result.success
    assert stalled.matched == 4, "the second page was asked for once and retried 3 times"
    message = failure_text(result)
    assert ("agency/clients: GET /agency/api/workspace/clients was not answered in full within the response "
            "deadline of 1.5 s (attempt 4 of 4)") in message
    assert "REST_ASSETS_HTTP_RESPONSE_DEADLINE_SECONDS" in message and "the tables keep their previous rows" in message
    assert project.query("select * from agency.clients order by id") == before
    assert other_api_loaded(project, changed_task)


@pytest.mark.parametrize("answer", NEVER_COMPLETE)
def test_an_answer_cut_off_once_is_retried_and_every_row_loads(make_project, monkeypatch, answer):
    set_policy(monkeypatch, response_deadline_seconds=1.5, **FAST_RETRIES)
    project = make_project(sizes={"agency": {"clients": 250}})
    project.sim.hooks.append(Fault(answer, nth={1}, **SECOND_AGENCY_PAGE))

    result = project.materialize("agency/clients")

    metadata = project.metadata(result, "clients")
    assert (metadata["pages_fetched"].value, metadata["retries"].value) == (3, 1)
    assert sorted(project.keys("agency", "clients", "id")) == list(range(1, 251))


def test_an_answer_slower_than_the_read_timeout_allows_but_within_its_deadline_loads(make_project, monkeypatch):
    set_policy(monkeypatch, timeout_seconds=1, response_deadline_seconds=30)
    project = make_project(sizes={"agency": {"clients": 3}})
    dripping = Fault(drip(chunk_bytes=200, gap_seconds=0.3), api="agency", resource="clients")
    project.sim.hooks.append(dripping)

    assert project.materialize("agency/clients").success

    assert dripping.answered == 1
    assert project.query("select id, name from agency.clients order by id") == [
        (row["id"], row["name"]) for row in project.sim.expected_rows("agency", "clients")]


# --- listings that go round in circles ----------------------------------------------------------

# Next links that lead from the second page back to the first, each with a parameter the API ignores and a new
# value of it: no request repeats, so only the records show the circle. asset -> (key field, key column, path, fault)
CIRCLES = {
    "datasync/connections": ("connectionId", "connection_id", "/v1/connections", lambda: Fault(
        disguised_cycle("next", offset="0"), api="datasync", resource="connections",
        where=lambda ctx: ctx.query.get("offset") == "100")),
    "taskrouter/workspaces": ("sid", "sid", "/v1/resource", lambda: Fault(
        disguised_cycle("meta.next_page_url", Page="0"), api="taskrouter", resource="workspaces",
        where=lambda ctx: ctx.query.get("Page") == "1")),
}


@pytest.mark.parametrize("asset", sorted(CIRCLES))
def test_a_listing_that_comes_back_to_pages_it_read_stops_at_the_first_of_them(make_project, asset):
    api, resource = asset.split("/")
    key, column, path, circle = CIRCLES[asset]
    project = make_project(sizes={api: {resource: 350}, "workhub": {"tasks": 30}})
    assert project.materialize(asset, OTHER_API).success
    table = f"select * from {api}.{resource} order by {column}"
    before = project.query(table)
    project.sim.update_rows(api, resource, [project.sim.expected_rows(api, resource)[0][key]], {"edited": True})
    changed_task = with_other_api_changed(project)
    project.sim.hooks.append(circle())
    project.sim.clear_requests()

    result = project.materialize(asset, OTHER_API, raise_on_error=False)

    assert not result.success
    pages = [r for r in project.sim.requests if r.api == api and r.path == path]
    assert len(pages) == 3, "the first page, the second, then the first again under another link"
    assert len({tuple(sorted(r.query.items())) for r in pages}) == 3, "no request repeated"
    message = failure_text(result)
    assert (f"{asset}: GET {urlsplit(project.sim.base_urls[api]).path}{path} listed on page 3 only records that "
            f"pages before it had listed (by {key}): the paging goes round in a circle") in message
    assert project.query(table) == before
    assert other_api_loaded(project, changed_task)


def test_a_page_repeating_some_records_of_the_last_one_is_no_circle(make_project):
    # Offset paging while rows are inserted ahead of it: the next page starts with records already read.
    project = make_project(sizes={"datasync": {"connections": 250}})
    last_of_first_page = project.sim.expected_rows("datasync", "connections")[99]
    project.sim.hooks.append(Fault(alter(lambda body: {**body, "data": [last_of_first_page, *body["data"]]}),
                                   api="datasync", resource="connections", where=lambda ctx: ctx.query.get("offset") == "100"))

    assert project.materialize("datasync/connections").success

    assert sorted(project.keys("datasync", "connections", "connection_id")) == sorted(
        row["connectionId"] for row in project.sim.expected_rows("datasync", "connections"))
