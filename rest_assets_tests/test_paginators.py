"""The paginators dlt lacks, on their own: dlt's RESTClient over real HTTP to the simulator."""

from __future__ import annotations

import pytest
import requests
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth

from rest_assets.engine.paginators import LastRecordCursorPaginator, SizedPageNumberPaginator
from rest_assets_sim import DEFAULT_CREDENTIALS, Simulator


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
