"""The simulator's fault injection on its own, over real HTTP with plain `requests`."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
import requests

from rest_assets_sim import CA_BUNDLE, Simulator
from rest_assets_sim.faults import (
    Fault,
    alter,
    as_content_type,
    connection_reset,
    cut_off,
    disguised_cycle,
    drip,
    html_page,
    silent,
    slow,
    throttle,
    truncated_json,
)

from .helpers import CANARY

pytestmark = pytest.mark.faults


@pytest.fixture
def sim(leak_check):
    with Simulator(credentials=CANARY, sizes={"agency": {"clients": 3}, "taskrouter": {"workspaces": 2, "workers": 1}}) as sim:
        leak_check.watch_simulator(sim)
        yield sim


def clients(sim: Simulator, timeout: float = 5) -> requests.Response:
    return requests.get(f"{sim.base_urls['agency']}/api/workspace/clients",
                        headers={"Authorization": f"Bearer {CANARY.agency_api_token}"}, timeout=timeout)


def test_a_fault_answers_only_its_nth_matching_requests(sim):
    fault = Fault(throttle("7"), api="agency", resource="clients", nth={2, 3})
    sim.hooks.append(fault)
    answers = [clients(sim) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 429, 429, 200]
    assert answers[1].headers["Retry-After"] == "7"
    assert (fault.matched, fault.answered) == (4, 2)


def test_alter_changes_a_copy_of_the_real_page(sim):
    sim.hooks.append(Fault(alter(lambda body: {**body, "results": body["results"][:1]}), api="agency"))
    assert [r["id"] for r in clients(sim).json()["results"]] == [1]


@pytest.mark.parametrize("answer, content_type", [(html_page(), "text/html; charset=utf-8"), (as_content_type("text/plain"), "text/plain")])
def test_bodies_that_are_not_json_to_a_client(sim, answer, content_type):
    sim.hooks.append(Fault(answer, api="agency"))
    assert clients(sim).headers["Content-Type"] == content_type


def test_truncated_json_is_a_complete_answer_of_broken_json(sim):
    sim.hooks.append(Fault(truncated_json(), api="agency"))
    with pytest.raises(requests.JSONDecodeError):
        clients(sim).json()


@pytest.mark.parametrize("answer", [connection_reset(), cut_off(at_byte=10)], ids=["reset", "cut-off"])
def test_transport_faults_break_the_connection(sim, answer):
    sim.hooks.append(Fault(answer, api="agency", nth={1}))
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        clients(sim)
    assert clients(sim).status_code == 200, "the next connection is fine"


def test_slow_answers_time_out_impatient_clients(sim):
    sim.hooks.append(Fault(slow(1.0), api="agency"))
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        clients(sim, timeout=0.3)
    assert time.monotonic() - started < 1.0


def test_a_dripping_answer_arrives_whole_and_no_gap_trips_a_read_timeout(sim):
    normal = clients(sim).content
    sim.hooks.append(Fault(drip(chunk_bytes=len(normal) // 4 + 1, gap_seconds=0.2), api="agency"))
    started = time.monotonic()
    assert clients(sim, timeout=0.5).content == normal
    assert time.monotonic() - started >= 3 * 0.2, "four pieces, three gaps"


def test_a_silent_server_answers_nothing_until_the_client_gives_up(sim):
    sim.hooks.append(Fault(silent(), api="agency", nth={1}))
    with pytest.raises(requests.ReadTimeout):
        clients(sim, timeout=0.5)
    assert clients(sim).status_code == 200, "the next request is answered"


def test_a_disguised_cycle_leads_back_to_read_pages_by_links_that_never_repeat(leak_check):
    with Simulator(credentials=CANARY, sizes={"taskrouter": {"workspaces": 120}}) as sim:
        leak_check.watch_simulator(sim)
        sim.hooks.append(Fault(disguised_cycle("meta.next_page_url", Page="0"), api="taskrouter",
                               where=lambda ctx: ctx.query.get("Page") == "1"))
        auth = (CANARY.taskrouter_account_sid, CANARY.taskrouter_auth_token)
        url, links, pages = f"{sim.base_urls['taskrouter']}/v1/resource?PageSize=50", [], []
        for _ in range(5):
            body = requests.get(url, auth=auth, timeout=5).json()
            pages.append([w["sid"] for w in body["workspaces"]])
            url = body["meta"]["next_page_url"]
            links.append(url)
        assert len(set(links)) == 5, "every next link is new"
        assert pages[2] == pages[4] == pages[0] and pages[3] == pages[1] != pages[0], "the same two pages, round and round"


def test_renamed_keys_are_served_and_found_by_their_encoded_path(sim):
    first, second = (row["sid"] for row in sim.expected_rows("taskrouter", "workspaces"))
    sim.rename_keys("taskrouter", "workspaces", {first: "../../a?b#c%d"})
    auth = (CANARY.taskrouter_account_sid, CANARY.taskrouter_auth_token)
    workers = requests.get(f"{sim.base_urls['taskrouter']}/v1/resource/{quote('../../a?b#c%d', safe='')}/Workers", auth=auth, timeout=5)
    assert workers.json()["workers"][0]["workspace_sid"] == "../../a?b#c%d"
    with pytest.raises(ValueError):
        sim.rename_keys("taskrouter", "workspaces", {second: "../../a?b#c%d"})


def test_expired_tokens_are_refused_and_remembered_as_issued(sim):
    token_url = sim.env()["DATASYNC_TOKEN_URL"]
    form = {"grant_type": "client_credentials", "client_id": CANARY.datasync_client_id, "client_secret": CANARY.datasync_client_secret}
    token = requests.post(token_url, data=form, timeout=5).json()["access_token"]
    jobs = f"{sim.base_urls['datasync']}/v1/jobs"
    assert requests.get(jobs, headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code == 200
    sim.expire_tokens()
    expired = requests.get(jobs, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert (expired.status_code, expired.json()) == (401, {"error": "token expired"})
    assert token in sim.issued_tokens


def test_tls_is_served_with_the_test_certificate(leak_check):
    with Simulator(tls=True) as sim:
        assert sim.root_url.startswith("https://127.0.0.1:")
        assert requests.get(f"{sim.base_urls['agency']}/api/workspace/clients", verify=CA_BUNDLE, timeout=5).status_code == 401
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{sim.base_urls['agency']}/api/workspace/clients", timeout=5)  # not trusted by default
