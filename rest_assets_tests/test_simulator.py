"""The API simulator, exercised over real HTTP with `requests`."""

from __future__ import annotations

import math
import random
import time
from urllib.parse import urlsplit

import pytest
import requests

from rest_assets_sim import DEFAULT_CREDENTIALS, RateLimit, Response, Simulator
from rest_assets_sim.data import IndexView

CREDS = DEFAULT_CREDENTIALS


@pytest.fixture
def make_sim():
    """Starts simulators on demand and stops them all after the test."""
    started = []

    def make(**kwargs) -> Simulator:
        sim = Simulator(**kwargs).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


def session(sim: Simulator, api: str) -> requests.Session:
    """A session carrying `api`'s credentials (datasync: a freshly issued token)."""
    s = requests.Session()
    if api == "taskrouter":
        s.auth = (CREDS.taskrouter_account_sid, CREDS.taskrouter_auth_token)
    elif api == "agency":
        s.headers["Authorization"] = f"Bearer {CREDS.agency_api_token}"
    elif api == "resourcing":
        s.headers["Authorization"] = f"Bearer {CREDS.resourcing_api_token}"
    elif api == "workhub":
        s.headers["api_key"] = CREDS.workhub_api_key
    elif api == "datasync":
        s.headers["Authorization"] = f"Bearer {datasync_token(sim)}"
    return s


def datasync_token(sim: Simulator) -> str:
    form = {"grant_type": "client_credentials", "client_id": CREDS.datasync_client_id,
            "client_secret": CREDS.datasync_client_secret}
    response = requests.post(sim.env()["DATASYNC_TOKEN_URL"], data=form)
    assert response.status_code == 200
    return response.json()["access_token"]


def ok(response: requests.Response) -> dict:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    return response.json()


# --- walkers: one per pagination style, each returns (records, number of requests) ---


def walk_taskrouter(s, url, key, page_size=None):
    params = {"PageSize": page_size} if page_size else None
    records, calls = [], 0
    while url:
        body = ok(s.get(url, params=params))
        params, calls = None, calls + 1  # next_page_url already carries PageSize and Page
        records += body[key]
        url = body["meta"]["next_page_url"]
    return records, calls


def walk_agency(s, url, limit=None):
    params, records, calls = ({"limit": limit} if limit else {}), [], 0
    while True:
        body = ok(s.get(url, params=params))
        records, calls = records + body["results"], calls + 1
        if not body["hasMore"]:
            return records, calls
        params["startingAfter"] = records[-1]["id"]


def walk_resourcing(s, url, per_page=None, **extra):
    records, page = [], 1
    while True:
        params = {"page": page, **({"per-page": per_page} if per_page else {}), **extra}
        data = ok(s.get(url, params=params))["data"]
        if not data:  # no total in the body: stop at the first empty page
            return records, page
        records, page = records + data, page + 1


def walk_workhub(s, url, limit=None):
    params, records, calls = ({"limit": limit} if limit else {}), [], 0
    while True:
        body = ok(s.get(url, params=params))
        records, calls = records + body["data"], calls + 1
        if not body["pagination"]["hasMore"]:
            assert body["pagination"]["nextPageToken"] is None
            return records, calls
        params["pageToken"] = body["pagination"]["nextPageToken"]


def walk_offset(s, url, limit=100):
    records, offset = [], 0
    while True:
        data = ok(s.get(url, params={"offset": offset, "limit": limit}))["data"]
        if not data:
            return records, offset // limit + 1
        records, offset = records + data, offset + limit


def walk_next(s, url, limit=None):
    params, records, calls = ({"limit": limit} if limit else None), [], 0
    while url:
        body = ok(s.get(url, params=params))
        params, calls = None, calls + 1
        records += body["data"]
        url = body.get("next")
        assert url is None or url.startswith("http://127.0.0.1:")
    return records, calls


def walk(sim, api, resource, limit=None):
    """All records of a resource, fetched page by page as a client would."""
    s, base = session(sim, api), sim.base_urls[api]
    if api == "taskrouter":
        workspaces, _ = walk_taskrouter(s, f"{base}/v1/resource", "workspaces", limit)
        if resource == "workspaces":
            return workspaces
        return [w for ws in workspaces
                for w in walk_taskrouter(s, f"{base}/v1/resource/{ws['sid']}/Workers", "workers", limit)[0]]
    if api == "agency":
        return walk_agency(s, f"{base}/api/workspace/{AGENCY_PATHS[resource]}", limit)[0]
    if api == "resourcing":
        return walk_resourcing(s, f"{base}/{resource.replace('_', '-')}", limit)[0]
    if api == "workhub":
        return walk_workhub(s, f"{base}/api/1.0/{resource}", limit)[0]
    if resource == "jobs":
        return walk_offset(s, f"{base}/v1/jobs", limit or 100)[0]
    return walk_next(s, f"{base}/v1/{resource}", limit)[0]


AGENCY_PATHS = {"clients": "clients", "invoices": "invoices", "project_members": "project-members",
                "workspace_members": "members"}


# --- auth -------------------------------------------------------------------------

PROBES = {
    "taskrouter": "/v1/resource",
    "agency": "/api/workspace/clients",
    "resourcing": "/logged-time",
    "workhub": "/api/1.0/tasks",
    "datasync": "/v1/jobs",
}
WRONG = {
    "taskrouter": {"auth": (CREDS.taskrouter_account_sid, "wrong")},
    "agency": {"headers": {"Authorization": f"Bearer {CREDS.resourcing_api_token}"}},  # another API's token
    "resourcing": {"headers": {"Authorization": "Bearer wrong"}},
    "workhub": {"headers": {"X-API-Key": CREDS.workhub_api_key}},  # right key, wrong header name
    "datasync": {"headers": {"Authorization": f"Bearer {CREDS.datasync_client_secret}"}},  # not an issued token
}


@pytest.fixture(scope="module")
def shared_sim():
    with Simulator(default_rows=3) as sim:
        yield sim


@pytest.mark.parametrize("api", list(PROBES))
def test_auth_rejects_missing_and_wrong_credentials_and_accepts_right_ones(shared_sim, api):
    url = shared_sim.base_urls[api] + PROBES[api]
    for kwargs in ({}, WRONG[api]):
        response = requests.get(url, **kwargs)
        assert response.status_code == 401
        assert response.json() == {"error": "unauthorized"}
    assert len(ok(session(shared_sim, api).get(url))) > 0


def test_token_endpoint(shared_sim):
    url = shared_sim.env()["DATASYNC_TOKEN_URL"]
    wrong = requests.post(url, data={"grant_type": "client_credentials", "client_id": CREDS.datasync_client_id,
                                     "client_secret": "nope"})
    assert (wrong.status_code, wrong.json()) == (401, {"error": "invalid_client"})
    # HTTP Basic client authentication works too, and every token is new.
    basic = (CREDS.datasync_client_id, CREDS.datasync_client_secret)
    first = ok(requests.post(url, data={"grant_type": "client_credentials"}, auth=basic))
    second = ok(requests.post(url, data={"grant_type": "client_credentials"}, auth=basic))
    assert first["token_type"] == "bearer" and first["expires_in"] == 3600
    assert first["access_token"] != second["access_token"]


def test_unknown_paths_are_404(shared_sim):
    for url in (shared_sim.root_url + "/nope", shared_sim.base_urls["agency"] + "/api/workspace/nope"):
        response = session(shared_sim, "agency").get(url)
        assert (response.status_code, response.json()) == (404, {"error": "not found"})
    missing = session(shared_sim, "taskrouter").get(shared_sim.base_urls["taskrouter"] + "/v1/resource/WSnope/Workers")
    assert missing.status_code == 404


# --- pagination ---------------------------------------------------------------------

# Per API, resources sized 0, 1, exactly one page (5) and one page + 1 (6), walked with pages of 5.
EDGE_SIZES = {
    "agency": {"clients": 0, "invoices": 1, "project_members": 5, "workspace_members": 6},
    "resourcing": {"accounts": 0, "people": 1, "roles": 5, "logged_time": 6},
    "workhub": {"tasks": 0, "users": 1, "projects": 5, "time-offs": 6},
    "datasync": {"jobs": 6, "connections": 5, "workspaces": 1},
}
EDGE_CASES = [(api, res) for api, sizes in EDGE_SIZES.items() for res in sizes]


@pytest.fixture(scope="module")
def edge_sim():
    with Simulator(sizes=EDGE_SIZES, default_rows=2) as sim:
        yield sim


@pytest.mark.parametrize("api,resource", EDGE_CASES)
def test_walking_pages_collects_exactly_the_expected_rows(edge_sim, api, resource):
    expected = edge_sim.expected_rows(api, resource)
    assert len(expected) == EDGE_SIZES[api][resource] == edge_sim.expected_count(api, resource)
    assert walk(edge_sim, api, resource, limit=5) == expected


@pytest.mark.parametrize("workspaces,workers", [(0, 3), (1, 0), (1, 1), (6, 5)])
def test_taskrouter_walks_workspaces_and_their_workers(make_sim, workspaces, workers):
    sim = make_sim(sizes={"taskrouter": {"workspaces": workspaces, "workers": workers}})
    assert walk(sim, "taskrouter", "workspaces", limit=5) == sim.expected_rows("taskrouter", "workspaces")
    got = walk(sim, "taskrouter", "workers", limit=5)
    assert got == sim.expected_rows("taskrouter", "workers")
    assert len(got) == workspaces * workers == sim.expected_count("taskrouter", "workers")


def test_default_page_sizes_and_exactly_full_last_pages(make_sim):
    sim = make_sim(sizes={"taskrouter": {"workspaces": 100, "workers": 0}, "agency": {"clients": 200},
                          "resourcing": {"roles": 400}, "workhub": {"tasks": 100},
                          "datasync": {"jobs": 200, "connections": 200}}, default_rows=0)
    base = sim.base_urls
    cases = [
        (walk_taskrouter(session(sim, "taskrouter"), f"{base['taskrouter']}/v1/resource", "workspaces"), 2),
        (walk_agency(session(sim, "agency"), f"{base['agency']}/api/workspace/clients"), 2),
        (walk_resourcing(session(sim, "resourcing"), f"{base['resourcing']}/roles"), 3),  # + the empty page
        (walk_workhub(session(sim, "workhub"), f"{base['workhub']}/api/1.0/tasks"), 1),
        (walk_offset(session(sim, "datasync"), f"{base['datasync']}/v1/jobs"), 3),  # + the empty page
        (walk_next(session(sim, "datasync"), f"{base['datasync']}/v1/connections"), 2),
    ]
    for (records, calls), expected_calls in cases:
        assert calls == expected_calls
    assert [len(records) for (records, _), _ in cases] == [100, 200, 400, 100, 200, 200]


def test_taskrouter_next_page_url_is_absolute_and_followable(make_sim):
    sim = make_sim(sizes={"taskrouter": {"workspaces": 3, "workers": 0}})
    s = session(sim, "taskrouter")
    first = ok(s.get(sim.base_urls["taskrouter"] + "/v1/resource", params={"PageSize": 2}))
    next_url = first["meta"]["next_page_url"]
    assert urlsplit(next_url)[:3] == ("http", urlsplit(sim.root_url).netloc, "/taskrouter/v1/resource")
    second = ok(s.get(next_url))
    assert second["meta"]["page"] == 1 and second["meta"]["page_size"] == 2
    assert second["meta"]["next_page_url"] is None
    assert first["workspaces"] + second["workspaces"] == sim.expected_rows("taskrouter", "workspaces")


def test_records_have_the_documented_fields(shared_sim):
    worker = shared_sim.expected_rows("taskrouter", "workers")[0]
    assert worker["sid"].startswith("WK") and len(worker["sid"]) == 34
    assert worker["workspace_sid"] == shared_sim.expected_rows("taskrouter", "workspaces")[0]["sid"]
    assert isinstance(worker["attributes"], str) and isinstance(worker["available"], bool)
    invoice = shared_sim.expected_rows("agency", "invoices")[0]
    assert invoice["id"] == 1 and 1 <= len(invoice["lineItems"]) <= 3
    assert set(shared_sim.expected_rows("workhub", "time-offs")[0]) >= {"id", "timeOffId", "startDate", "durationInMinutes"}
    job = shared_sim.expected_rows("datasync", "jobs")[0]
    assert "id" not in job and job["jobId"] == 1


def test_wide_resources_have_the_shapes_of_real_apis():
    """What the benchmark's data must contain: 40+ fields of every JSON type, a two-level object, a list of objects."""
    sim = Simulator(default_rows=40)
    for api, resource, (outer, inner), listed in [("agency", "projects", ("billing", "address"), "milestones"),
                                                  ("resourcing", "people", ("location", "office"), "skills"),
                                                  ("workhub", "tasks", ("sprint", "window"), "customFields")]:
        rows = sim.expected_rows(api, resource)
        assert min(len(row) for row in rows) >= 40, resource
        assert all(isinstance(row[outer][inner], dict) and 1 <= len(row[listed]) <= 3 for row in rows), resource
        types = {type(value) for row in rows for value in row.values()}
        assert types == {int, float, bool, str, type(None), dict, list}, resource


def test_same_seed_same_data_other_seed_other_data(make_sim):
    a, b, c = Simulator(seed=1), Simulator(seed=1), Simulator(seed=2)
    assert a.expected_rows("datasync", "connections") == b.expected_rows("datasync", "connections")
    assert a.expected_rows("datasync", "connections") != c.expected_rows("datasync", "connections")


# --- incremental sync and mutations -----------------------------------------------------


def test_resourcing_modified_since_and_update_rows(make_sim):
    sim = make_sim(sizes={"resourcing": {"logged_time": 450}})
    s, url = session(sim, "resourcing"), sim.base_urls["resourcing"] + "/logged-time"
    all_rows = sim.expected_rows("resourcing", "logged_time")
    assert all_rows == walk_resourcing(s, url, modified_since=sim.env()["RESOURCING_START_DATE"])[0]
    assert walk_resourcing(s, url, modified_since=all_rows[440]["modified"])[0] == all_rows[440:]
    assert s.get(url, params={"modified_since": "2024-01-01"}).status_code == 400

    high_water = max(r["modified"] for r in all_rows)
    sim.update_rows("resourcing", "logged_time", [3, 200], {"minutes": 999})
    edited = walk_resourcing(s, url, modified_since=high_water)[0]
    assert [r["id"] for r in edited] == [3, 200, 450]  # inclusive: the high-water row itself comes again
    assert [r["minutes"] for r in edited[:2]] == [999, 999] and edited[0]["modified"] > high_water

    stamp = edited[0]["modified"]
    sim.update_rows("resourcing", "logged_time", [5])  # no changes given: only `modified` moves
    assert [(r["id"], r["modified"] > stamp) for r in walk_resourcing(s, url, modified_since=stamp)[0]] == [
        (3, False), (5, True), (200, False)]

    assert sim.add_rows("resourcing", "logged_time", 2) == [451, 452]
    since_edit = walk_resourcing(s, url, modified_since=stamp)[0]
    assert [r["id"] for r in since_edit] == [3, 5, 200, 451, 452]
    assert walk_resourcing(s, url, per_page=7)[0] == sim.expected_rows("resourcing", "logged_time")


def test_update_and_add_rows_show_up_in_full_syncs(make_sim):
    sim = make_sim(sizes={"agency": {"clients": 4}, "taskrouter": {"workspaces": 2, "workers": 2}})
    sim.update_rows("agency", "clients", [2], {"name": "Renamed Ltd"})
    assert sim.add_rows("agency", "clients", 2) == [5, 6]
    clients = walk(sim, "agency", "clients", limit=3)
    assert clients == sim.expected_rows("agency", "clients")
    assert [c["id"] for c in clients] == [1, 2, 3, 4, 5, 6] and clients[1]["name"] == "Renamed Ltd"

    workspace_sids = sim.add_rows("taskrouter", "workspaces", 1)  # comes with its own 2 workers
    worker_sids = sim.add_rows("taskrouter", "workers", 1)  # joins the last workspace
    workers = walk(sim, "taskrouter", "workers", limit=2)
    assert workers == sim.expected_rows("taskrouter", "workers") and len(workers) == 3 * 2 + 1
    assert workers[-1]["sid"] == worker_sids[0] and workers[-1]["workspace_sid"] == workspace_sids[0]
    sim.update_rows("taskrouter", "workers", [worker_sids[0]], {"available": True})
    assert sim.expected_rows("taskrouter", "workers")[-1]["available"] is True
    with pytest.raises(KeyError):
        sim.update_rows("taskrouter", "workers", ["WKnot-a-sid"], {})


def test_deleted_rows_are_no_longer_listed_and_restored_rows_come_back(make_sim):
    sim = make_sim(sizes={"resourcing": {"logged_time": 12}, "taskrouter": {"workspaces": 3, "workers": 2}})
    s, url = session(sim, "resourcing"), sim.base_urls["resourcing"] + "/logged-time"
    sim.update_rows("resourcing", "logged_time", [4], {"note": "edited"})
    sim.delete_rows("resourcing", "logged_time", [2, 4, 11])
    listed = [r["id"] for r in walk_resourcing(s, url, per_page=5)[0]]
    assert listed == [1, 3, 5, 6, 7, 8, 9, 10, 12] == [r["id"] for r in sim.expected_rows("resourcing", "logged_time")]
    since = [r["id"] for r in walk_resourcing(s, url, modified_since=sim.env()["RESOURCING_START_DATE"])[0]]
    assert since == listed, "an edited row that was deleted is not listed as changed either"
    with pytest.raises(KeyError):
        sim.update_rows("resourcing", "logged_time", [2], {})
    sim.restore_rows("resourcing", "logged_time", [4])
    assert [r for r in sim.expected_rows("resourcing", "logged_time") if r["id"] == 4][0]["note"] == "edited"

    workspaces = sim.expected_rows("taskrouter", "workspaces")
    sim.delete_rows("taskrouter", "workspaces", [workspaces[1]["sid"]])
    workers = walk(sim, "taskrouter", "workers", limit=5)
    assert len(workers) == 4 and {w["workspace_sid"] for w in workers} == {workspaces[0]["sid"], workspaces[2]["sid"]}
    gone = session(sim, "taskrouter").get(f"{sim.base_urls['taskrouter']}/v1/resource/{workspaces[1]['sid']}/Workers")
    assert gone.status_code == 404, "a deleted workspace takes its workers with it"


# --- OAuth2 expiry, hooks, request log -----------------------------------------------------


def test_datasync_token_expires(make_sim):
    sim = make_sim(token_ttl_seconds=1.0)
    s, url = session(sim, "datasync"), sim.base_urls["datasync"] + "/v1/workspaces"
    ok(s.get(url))
    time.sleep(1.2)
    expired = s.get(url)
    assert (expired.status_code, expired.json()) == (401, {"error": "token expired"})
    ok(session(sim, "datasync").get(url))


def test_hook_can_replace_a_response(make_sim):
    sim = make_sim()
    seen = []

    def throttle(ctx):
        seen.append((ctx.api, ctx.resource, ctx.method, ctx.path, ctx.query))
        if ctx.resource == "clients":
            return Response(429, {"error": "slow down"}, {"Retry-After": "1"})
        return None

    sim.hooks.append(throttle)
    s = session(sim, "agency")
    throttled = s.get(sim.base_urls["agency"] + "/api/workspace/clients", params={"limit": 5})
    assert (throttled.status_code, throttled.json(), throttled.headers["Retry-After"]) == (429, {"error": "slow down"}, "1")
    ok(s.get(sim.base_urls["agency"] + "/api/workspace/invoices"))
    assert seen[0] == ("agency", "clients", "GET", "/api/workspace/clients", {"limit": "5"})
    sim.hooks.clear()
    ok(s.get(sim.base_urls["agency"] + "/api/workspace/clients"))


def test_request_log_records_path_query_and_status(make_sim):
    sim = make_sim()
    s = session(sim, "datasync")  # logs the token request
    s.get(sim.base_urls["datasync"] + "/v1/jobs", params={"offset": 100, "limit": 50})
    requests.get(sim.base_urls["workhub"] + "/api/1.0/tasks?limit=1&limit=2")
    log = sim.requests
    assert [(r.api, r.method, r.path, r.status) for r in log] == [
        ("datasync", "POST", "/oauth/token", 200),
        ("datasync", "GET", "/v1/jobs", 200),
        ("workhub", "GET", "/api/1.0/tasks", 401),
    ]
    assert log[1].query == {"offset": "100", "limit": "50"} and log[2].query == {"limit": "2"}
    sim.clear_requests()
    assert sim.requests == []


def test_bad_paging_parameters_are_400(shared_sim):
    workhub = session(shared_sim, "workhub").get(shared_sim.base_urls["workhub"] + "/api/1.0/tasks",
                                                 params={"pageToken": "!!not-a-token"})
    agency = session(shared_sim, "agency").get(shared_sim.base_urls["agency"] + "/api/workspace/clients",
                                               params={"startingAfter": "abc"})
    assert workhub.status_code == agency.status_code == 400


# --- scale -----------------------------------------------------------------------------------


def test_a_million_rows_serve_first_and_last_pages_fast(make_sim):
    n = 1_000_000
    sim = make_sim(sizes={"agency": {"clients": n}, "resourcing": {"logged_time": n}}, default_rows=0)
    agency, resourcing = session(sim, "agency"), session(sim, "resourcing")
    started = time.perf_counter()
    clients = sim.base_urls["agency"] + "/api/workspace/clients"
    assert ok(agency.get(clients))["results"][0]["id"] == 1
    last = ok(agency.get(clients, params={"startingAfter": n - 100}))
    assert [r["id"] for r in last["results"]] == list(range(n - 99, n + 1)) and last["hasMore"] is False
    logged = sim.base_urls["resourcing"] + "/logged-time"
    assert len(ok(resourcing.get(logged, params={"page": n // 200}))["data"]) == 200
    sim.update_rows("resourcing", "logged_time", [17])  # overlays must not make the filter walk all rows
    tail = ok(resourcing.get(logged, params={"page": 5000, "modified_since": "2024-01-01T00:00:00Z"}))["data"]
    assert tail[-1]["id"] == n and len(tail) == 200
    assert time.perf_counter() - started < 2.0
    assert sim.expected_count("resourcing", "logged_time") == n


def test_index_view_matches_a_plain_list():
    """IndexView (range minus holes plus extras) slices and counts like the list it stands for."""
    rand = random.Random(7)
    for _ in range(300):
        lo, hi = rand.randint(0, 20), rand.randint(0, 30)
        holes = set(rand.sample(range(35), rand.randint(0, 5)))
        extras = {e for e in rand.sample(range(45), rand.randint(0, 5)) if not lo <= e < hi or e in holes}
        as_list = sorted({i for i in range(lo, hi) if i not in holes} | extras)
        view = IndexView(lo, hi, holes, extras)
        assert len(view) == len(as_list)
        assert [view.count_below(x) for x in range(-1, 47)] == [sum(i < x for i in as_list) for x in range(-1, 47)]
        for start in range(len(as_list) + 1):
            assert view.slice(start, start + 3) == as_list[start : start + 3]


# --- the rate limit -----------------------------------------------------------------------


def at_the_start_of_a_window() -> float:
    """Sleep into the next whole second (windows are aligned to them); the epoch second the window ends."""
    time.sleep(math.ceil(time.time()) - time.time() + 0.01)
    return math.floor(time.time()) + 1


def test_rate_limit_answers_429_with_retry_after_past_the_limit_and_counts_each_api_alone(make_sim):
    sim = make_sim(default_rows=5, rate_limit=RateLimit(3))
    agency, clients = session(sim, "agency"), sim.base_urls["agency"] + "/api/workspace/clients"

    window_ends = at_the_start_of_a_window()
    answers = [agency.get(clients) for _ in range(4)]
    datasync = session(sim, "datasync")  # its token request is not counted
    other_api = datasync.get(sim.base_urls["datasync"] + "/v1/jobs")

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"3"}
    assert {a.headers["X-RateLimit-Reset"] for a in answers} == {str(window_ends)}
    assert answers[3].headers["Retry-After"] == "1" and "Retry-After" not in answers[2].headers
    assert other_api.status_code == 200 and other_api.headers["X-RateLimit-Remaining"] == "2"
    time.sleep(window_ends - time.time() + 0.01)
    assert agency.get(clients).headers["X-RateLimit-Remaining"] == "2", "a new window"


@pytest.mark.parametrize(
    "limit, names",
    [
        pytest.param(RateLimit(2, headers="ietf"), ("RateLimit-Remaining", "RateLimit-Reset"), id="ietf"),
        pytest.param(RateLimit(2, reset="seconds"), ("X-RateLimit-Remaining", "X-RateLimit-Reset"), id="x-seconds"),
    ],
)
def test_rate_limit_can_state_the_reset_in_seconds(make_sim, limit, names):
    sim = make_sim(default_rows=5, rate_limit=limit)
    agency, clients = session(sim, "agency"), sim.base_urls["agency"] + "/api/workspace/clients"

    at_the_start_of_a_window()
    answers = [agency.get(clients) for _ in range(3)]

    remaining, reset = names
    assert [(a.status_code, a.headers[remaining], a.headers[reset]) for a in answers] == [
        (200, "1", "1"), (200, "0", "1"), (429, "0", "1")
    ]


def test_rate_limit_of_some_apis_leaves_the_others_alone(make_sim):
    sim = make_sim(default_rows=5, rate_limit=RateLimit(1, apis=("agency",)))
    workhub = session(sim, "workhub")
    answers = [workhub.get(sim.base_urls["workhub"] + "/api/1.0/tasks") for _ in range(3)]
    assert [a.status_code for a in answers] == [200] * 3
    assert not any(name.lower().startswith("x-ratelimit") for a in answers for name in a.headers)
