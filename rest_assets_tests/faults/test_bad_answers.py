"""Answers that are not JSON or lack their data, paging that never ends, ids unfit for a path."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from rest_assets_sim.faults import Fault, alter, as_content_type, html_page, truncated_json
from rest_assets_sim.paging import encode_token

from .helpers import SECOND_AGENCY_PAGE, failure_text, set_policy

pytestmark = pytest.mark.faults

# --- answers that cannot be loaded ----------------------------------------------------------------

@pytest.mark.parametrize(
    "answer, what",
    [
        pytest.param(html_page(), "answered HTTP 200 with text/html instead of JSON", id="html"),
        pytest.param(truncated_json(), "answered HTTP 200 with JSON that is cut off or malformed", id="truncated-json"),
        pytest.param(as_content_type("text/plain"), "answered HTTP 200 with text/plain instead of JSON", id="non-json-content-type"),
        pytest.param(alter(lambda body: {"hasMore": False}), "answered HTTP 200 without a list at 'results'", id="no-data-selector-key"),
        pytest.param(alter(lambda body: {"results": {"error": "maintenance"}, "hasMore": False}),
                     "answered HTTP 200 without a list at 'results'", id="object-at-data-selector"),
    ],
)
def test_an_unusable_page_fails_naming_source_resource_and_path_and_keeps_the_table(make_project, answer, what):
    project = make_project(sizes={"agency": {"clients": 250}})
    assert project.materialize("agency/clients").success
    before = project.query("select * from agency.clients order by id")
    project.sim.update_rows("agency", "clients", [1], {"name": "changed"})  # something the failed run would have loaded
    project.sim.hooks.append(Fault(answer, **SECOND_AGENCY_PAGE))

    result = project.materialize("agency/clients", raise_on_error=False)

    assert not result.success
    message = failure_text(result)
    assert f"agency/clients: GET /agency/api/workspace/clients {what}" in message
    assert "startingAfter" not in message and "limit=" not in message, "the query string stays out of messages"
    assert "the tables keep their previous rows" in message
    assert project.query("select * from agency.clients order by id") == before


def test_an_empty_list_at_the_data_selector_is_an_empty_page_not_an_error(make_project):
    project = make_project(sizes={"agency": {"clients": 0}})
    assert project.materialize("agency/clients").success


# --- paging that never ends -----------------------------------------------------------------------


def ends_where_it_started(body: dict) -> dict:
    """Agency, second page (after id 100): its last record is id 100 again and more are said to follow."""
    return {**body, "results": body["results"][:-1] + [{**body["results"][-1], "id": 100}], "hasMore": True}


# Faults count the requests they see: one new Fault per test.
REPEATS = {
    "agency/clients": lambda: Fault(alter(ends_where_it_started), **SECOND_AGENCY_PAGE),
    "workhub/tasks": lambda: Fault(alter(lambda body: {**body, "pagination": {"hasMore": True, "nextPageToken": encode_token(100)}}),
                                   api="workhub", resource="tasks"),
    "datasync/connections": lambda: Fault(alter(lambda body: {**body, "next": body["next"].replace("offset=200", "offset=100")}),
                                          api="datasync", resource="connections", where=lambda ctx: ctx.query.get("offset") == "100"),
}


@pytest.mark.parametrize("asset", sorted(REPEATS))
def test_a_cursor_or_next_link_that_repeats_stops_the_run(make_project, asset):
    api, resource = asset.split("/")
    project = make_project(sizes={api: {resource: 350}})
    project.sim.hooks.append(REPEATS[asset]())

    result = project.materialize(asset, raise_on_error=False)

    assert not result.success
    message = failure_text(result)
    assert f"{asset}: GET " in message and "was already fetched (the cursor or next link repeats)" in message
    assert len(project.sim.requests) <= 4, "stopped as soon as a page request repeated"


@pytest.mark.parametrize("asset", ["workhub/tasks", "resourcing/roles"])
def test_pages_that_never_end_stop_at_the_configured_page_cap(make_project, monkeypatch, asset):
    set_policy(monkeypatch, max_pages=12)
    api, resource = asset.split("/")
    project = make_project(sizes={api: {resource: 200}})

    def endless(body: dict) -> dict:
        if api == "workhub":  # more always follows, with a fresh token to records not listed yet
            offset = (len(project.sim.requests) + 1) * 100
            return {**body, "data": body["data"] or [{"id": f"tsk_x{offset}"}], "pagination": {"hasMore": True, "nextPageToken": encode_token(offset)}}
        return {**body, "data": [{"id": 10_000 + len(project.sim.requests) * 200 + i} for i in range(200)]}  # always a full page

    project.sim.hooks.append(Fault(alter(endless), api=api, resource=resource))
    result = project.materialize(asset, raise_on_error=False)

    assert not result.success
    assert "still announced a next page after 12 pages" in failure_text(result)
    assert "REST_ASSETS_HTTP_MAX_PAGES" in failure_text(result)
    assert len(project.sim.requests) == 12


# --- ids unfit for a path -------------------------------------------------------------------------

ODD_IDS = ["WS/with/slashes", "../../admin", "what?Page=1", "frag#ment", "100%2F%25done", "space and ünïcode"]


def test_parent_ids_with_reserved_characters_are_one_encoded_path_segment(make_project):
    project = make_project(sizes={"taskrouter": {"workspaces": len(ODD_IDS) + 1, "workers": 2}})
    plain = [row["sid"] for row in project.sim.expected_rows("taskrouter", "workspaces")]
    project.sim.rename_keys("taskrouter", "workspaces", dict(zip(plain, ODD_IDS)))

    assert project.materialize("taskrouter").success

    worker_paths = sorted(r.path for r in project.sim.requests if r.path.endswith("/Workers"))
    assert worker_paths == sorted(f"/v1/resource/{quote(sid, safe='')}/Workers" for sid in ODD_IDS + plain[len(ODD_IDS):])
    assert all(r.status == 200 for r in project.sim.requests), "every path reached the workspace it names"
    assert sorted(project.keys("taskrouter", "workspaces", "sid")) == sorted(ODD_IDS + plain[len(ODD_IDS):]), "ids land unchanged"
    landed = project.query("select workspace_sid, count(*) from taskrouter.workers group by 1")
    assert dict(landed) == {sid: 2 for sid in ODD_IDS + plain[len(ODD_IDS):]}
    columns = {row[0] for row in project.query("select column_name from information_schema.columns where table_schema = 'taskrouter'")}
    assert not {c for c in columns if "path_segment" in c}, "the encoded copies never reach a table"


@pytest.mark.parametrize("sid", ["..", "."])
def test_a_parent_id_that_is_a_dot_segment_fails_clearly_and_nothing_climbs_the_path(make_project, sid):
    project = make_project(sizes={"taskrouter": {"workspaces": 2, "workers": 2}})
    assert project.materialize("taskrouter").success
    before = project.query("select * from taskrouter.workers order by sid")
    first = project.sim.expected_rows("taskrouter", "workspaces")[0]["sid"]
    project.sim.rename_keys("taskrouter", "workspaces", {first: sid})
    project.sim.clear_requests()

    result = project.materialize("taskrouter", raise_on_error=False)

    assert not result.success
    assert f"taskrouter/workers: a parent record's 'sid' is '{sid}', which cannot be one segment of a URL path" in failure_text(result)
    assert [r.path for r in project.sim.requests] == ["/v1/resource"], "no request for the unusable id"
    assert project.query("select * from taskrouter.workers order by sid") == before
