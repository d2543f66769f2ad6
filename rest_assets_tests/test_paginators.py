"""The paginators dlt lacks, on their own: dlt's RESTClient over real HTTP to the simulator."""

from __future__ import annotations

import pytest
import requests
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth

from rest_assets.engine.paginators import HeaderLinkResultsPaginator, LastRecordCursorPaginator, SizedPageNumberPaginator
from rest_assets_sim import DEFAULT_CREDENTIALS, Simulator
from rest_assets_sim.openapi_shaped import Sentry


def pages(sim: Simulator, api: str, path: str, paginator, token: str, selector: str, params=None) -> list[list[dict]]:
    client = RESTClient(base_url=sim.base_urls[api], auth=BearerTokenAuth(token), paginator=paginator, data_selector=selector)
    return [list(page) for page in client.paginate(path, params=params)]


@pytest.mark.parametrize("size, page_count", [(0, 1), (1, 1), (100, 1), (101, 2), (250, 3)])
def test_last_record_cursor_walks_every_record_once(size, page_count):
    with Simulator(sizes={"agency": {"clients": size}}) as sim:
        got = pages(sim, "agency", "/api/workspace/clients", LastRecordCursorPaginator(), DEFAULT_CREDENTIALS.agency_api_token, "results", {"limit": 100})
        assert [row["id"] for page in got for row in page] == [row["id"] for row in sim.expected_rows("agency", "clients")]
        assert len(got) == page_count
        cursors = [r.query.get("startingAfter") for r in sim.requests]
        assert cursors == [None] + [str(page[-1]["id"]) for page in got[:-1]]


def make_response(body: str) -> requests.Response:
    response = requests.Response()
    response._content = body.encode()
    response.status_code = 200
    return response


def test_last_record_cursor_rejects_a_response_without_has_more():
    with pytest.raises(ValueError, match="hasMore"):
        LastRecordCursorPaginator().update_state(make_response('{"results": [{"id": 1}]}'), [{"id": 1}])


def test_last_record_cursor_needs_the_cursor_field_when_more_pages_follow():
    with pytest.raises(ValueError, match="'id'"):
        LastRecordCursorPaginator().update_state(make_response('{"hasMore": true}'), [{"name": "no id"}])


@pytest.mark.parametrize("size, requests_made", [(0, 1), (1, 1), (199, 1), (200, 2), (201, 2), (600, 4)])
def test_sized_page_numbers_stop_on_a_short_page(size, requests_made):
    with Simulator(sizes={"resourcing": {"roles": size}}) as sim:
        paginator = SizedPageNumberPaginator(page_size=200, page_size_param="per-page")
        got = pages(sim, "resourcing", "/roles", paginator, DEFAULT_CREDENTIALS.resourcing_api_token, "data")
        assert [row["id"] for page in got for row in page] == [row["id"] for row in sim.expected_rows("resourcing", "roles")]
        assert [(r.query["page"], r.query["per-page"]) for r in sim.requests] == [
            (str(n), "200") for n in range(1, requests_made + 1)
        ]


@pytest.mark.parametrize("organization, page_count", [("1", 1), ("2", 2)])
def test_header_link_results_stops_where_the_next_link_has_no_results(organization, page_count):
    """Sentry names a next link on every page; `results="false"` on it says nothing is behind it."""
    with Simulator() as sim:
        sentry = Sentry(sim.root_url)
        sim.hooks.append(sentry)
        client = RESTClient(base_url=sentry.base_url, auth=BearerTokenAuth(Sentry.token),
                            paginator=HeaderLinkResultsPaginator())
        path = f"/api/0/organizations/{organization}/projects/"
        got = [list(page) for page in client.paginate(path, params={"per_page": 100})]
        projects = sentry.listings["projects"]
        assert [row["id"] for page in got for row in page] == [
            projects.record(organization, i)["id"] for i in range(projects.count(organization))]
        assert len(got) == len(sim.requests) == page_count, "no request past the link that says results=\"false\""


def test_header_link_results_reads_the_link_header_as_the_partial_listing_guard_does():
    """One parser (RFC 8288) for both: a comma inside quotes does not split (requests' `response.links` splits it)."""
    response = make_response("[]")
    response.headers["Link"] = ('<https://x/a?cursor=0:2:0>; rel="next"; results="true", '
                                '<https://x/a?cursor=0:0:1>; rel="previous"; title="a, <b>; rel=next"')
    paginator = HeaderLinkResultsPaginator()
    paginator.update_state(response, [{"id": 1}])
    assert paginator.has_next_page and paginator._next_reference == "https://x/a?cursor=0:2:0"
    response.headers["Link"] = '<https://x/a?cursor=0:4:0>; rel="next"; results="false"'
    paginator.update_state(response, [{"id": 1}])
    assert not paginator.has_next_page
