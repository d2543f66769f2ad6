"""Connections that break, answers that stall, pages that are huge or nested absurdly deep."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rest_assets.engine.http.responses import has_twenty_digit_run
from rest_assets_sim import Response
from rest_assets_sim.faults import JSON, Fault, alter, connection_reset, cut_off, huge_records, nested, raw_json, slow
from rest_assets_tests.conftest import REPO_ROOT, clean_env, project_env

from .helpers import FAST_RETRIES, failure_text, set_policy

pytestmark = pytest.mark.faults

SECOND_PAGE = {"api": "workhub", "resource": "tasks", "where": lambda ctx: "pageToken" in ctx.query}


def task_ids(project) -> list[str]:
    return sorted(project.keys("workhub", "tasks", "id"))


def expected_task_ids(project) -> list[str]:
    return sorted(row["id"] for row in project.sim.expected_rows("workhub", "tasks"))


@pytest.mark.parametrize(
    "fault, statuses",
    [
        pytest.param(connection_reset(), [200, 0, 200, 200], id="connection-reset"),
        pytest.param(cut_off(at_byte=200), [200, 200, 200, 200], id="body-cut-off-mid-way"),
    ],
)
def test_a_broken_connection_is_retried_and_the_partial_body_never_becomes_rows(make_project, monkeypatch, fault, statuses):
    set_policy(monkeypatch, **FAST_RETRIES)
    project = make_project(sizes={"workhub": {"tasks": 250}})
    project.sim.hooks.append(Fault(fault, nth={1}, **SECOND_PAGE))

    assert project.materialize("workhub/tasks").success

    assert [r.status for r in project.sim.requests] == statuses
    assert task_ids(project) == expected_task_ids(project), "every row exactly once, none from the broken answer"


def test_a_read_timeout_is_retried(make_project, monkeypatch):
    set_policy(monkeypatch, timeout_seconds=1, **FAST_RETRIES)
    project = make_project(sizes={"workhub": {"tasks": 250}})
    project.sim.hooks.append(Fault(slow(3.0), nth={1}, **SECOND_PAGE))

    assert project.materialize("workhub/tasks").success

    assert len(project.sim.requests) == 4, "the stalled page was asked for again"
    assert task_ids(project) == expected_task_ids(project)


def test_a_connection_that_always_breaks_mid_body_fails_and_loads_nothing(make_project, monkeypatch):
    set_policy(monkeypatch, **FAST_RETRIES)
    project = make_project(sizes={"workhub": {"tasks": 250}})
    assert project.materialize("workhub/tasks").success
    before = project.query("select * from workhub.tasks order by id")
    project.sim.update_rows("workhub", "tasks", ["tsk_000001"], {"status": "changed"})
    project.sim.hooks.append(Fault(cut_off(at_byte=200), **SECOND_PAGE))
    project.sim.clear_requests()

    result = project.materialize("workhub/tasks", raise_on_error=False)

    assert not result.success
    assert len(project.sim.requests) == 1 + 4, "the first page, then the broken one 4 times"
    message = failure_text(result)
    assert "workhub/tasks: GET /workhub/api/1.0/tasks failed 4 times: ChunkedEncodingError" in message
    assert project.query("select * from workhub.tasks order by id") == before, "not even the good first page"


# --- huge and deeply nested answers ---------------------------------------------------------------

# Runs in its own process, so that its peak memory is its own: a warm-up run of a normal resource,
# the huge page with a 10 MB cap, then without it; prints (success, peak MB) after each.
MEASURE = """
import json, os, resource
from dagster import materialize
from rest_assets.orchestration.loading import all_definitions

def peak_mb_after(asset):
    defs = all_definitions()
    keys = [k for k in defs.resolve_asset_graph().get_all_asset_keys() if k.to_user_string() == asset]
    success = materialize(assets=list(defs.assets), resources=defs.resources, selection=keys, raise_on_error=False).success
    return success, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024

warm = peak_mb_after("agency/projects")
os.environ["REST_ASSETS_HTTP_MAX_RESPONSE_MB"] = "10"
capped = peak_mb_after("agency/clients")
del os.environ["REST_ASSETS_HTTP_MAX_RESPONSE_MB"]
print(json.dumps([warm, capped, peak_mb_after("agency/clients")]))
"""
HUGE_PAGE_MB = 40


def test_a_huge_page_is_refused_over_the_cap_unread_and_loads_under_it_in_bounded_memory(make_project):
    project = make_project()
    records = huge_records(200, HUGE_PAGE_MB * 1_000_000 // 200)
    project.sim.hooks.append(Fault(alter(lambda body: {**body, "results": records, "hasMore": False}), api="agency", resource="clients"))
    environment = {**clean_env(), **project_env(project.sim, project.duckdb_path, project.data_dir)}

    done = subprocess.run([sys.executable, "-c", MEASURE], cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr[-3000:]
    (warm_ok, warm_mb), (capped_ok, capped_mb), (huge_ok, huge_mb) = json.loads(done.stdout.strip().splitlines()[-1])
    assert warm_ok and not capped_ok and huge_ok
    assert capped_mb - warm_mb < HUGE_PAGE_MB / 2, "over the cap, the body is not read"
    assert huge_mb - warm_mb < 10 * HUGE_PAGE_MB, f"peak grew {huge_mb - warm_mb} MB for a {HUGE_PAGE_MB} MB page"
    assert project.count("agency", "clients") == 200


def test_a_page_over_the_size_cap_fails_with_a_clear_message(make_project, monkeypatch):
    set_policy(monkeypatch, max_response_mb=1)
    project = make_project()
    project.sim.hooks.append(Fault(alter(lambda body: {**body, "results": huge_records(20, 100_000)}), api="agency", resource="clients"))

    result = project.materialize("agency/clients", raise_on_error=False)

    message = failure_text(result)
    assert "agency/clients: GET /agency/api/workspace/clients answered HTTP 200 with a body larger than 1 MB" in message
    assert "REST_ASSETS_HTTP_MAX_RESPONSE_MB" in message


@pytest.mark.parametrize("depth", [150, 100_000], ids=["deeper-than-the-cap", "deeper-than-python-parses"])
def test_absurdly_deep_json_fails_clearly_and_keeps_the_table(make_project, depth):
    project = make_project()
    assert project.materialize("agency/clients").success
    before = project.query("select * from agency.clients order by id")
    project.sim.hooks.append(Fault(raw_json(f'{{"results":[{{"id":1,"nest":{nested(depth)}}}],"hasMore":false}}'),
                                   api="agency", resource="clients"))

    result = project.materialize("agency/clients", raise_on_error=False)

    assert not result.success
    assert "answered HTTP 200 with JSON nested deeper than 64 levels" in failure_text(result)
    assert project.query("select * from agency.clients order by id") == before


def test_nesting_within_the_cap_loads(make_project):
    project = make_project(sizes={"agency": {"clients": 3}})
    deep = {"level": 1}
    for level in range(2, 40):
        deep = {"level": level, "inner": deep}
    project.sim.hooks.append(Fault(alter(lambda body: {**body, "results": [{**r, "deep": deep} for r in body["results"]]}),
                                   api="agency", resource="clients"))

    assert project.materialize("agency/clients").success
    assert project.count("agency", "clients") == 3





def beyond_orjson(body: bytes) -> Fault:
    return Fault(lambda ctx: Response(200, body, JSON), api="agency", resource="clients")


def test_json_beyond_the_fast_parser_still_loads_as_before(make_project):
    # Pages are parsed once, with orjson; what it refuses (here a byte order mark, which
    # requests' parser skips) is parsed the way requests always did.
    project = make_project(sizes={"agency": {"clients": 0}})
    page = '{"results":[{"id":"c1","name":"Zoë Ångström"}],"hasMore":false}'
    project.sim.hooks.append(beyond_orjson(page.encode("utf-8-sig")))

    assert project.materialize("agency/clients").success
    assert project.query("select id, name from agency.clients") == [("c1", "Zoë Ångström")]


def test_an_integer_beyond_64_bits_is_never_rounded_and_named(make_project):
    # orjson would read it as a float; such pages take requests' parser, which keeps the
    # integer, which dlt cannot store: the run fails naming the field, and loads nothing.
    project = make_project(sizes={"agency": {"clients": 2}})
    assert project.materialize("agency/clients").success
    before = project.query("select * from agency.clients order by id")
    page = b'{"results":[{"id":"c1","seats":18446744073709551615},{"id":"c2","seats":123456789012345678901234567890}],"hasMore":false}'
    project.sim.hooks.append(beyond_orjson(page))

    result = project.materialize("agency/clients", raise_on_error=False)

    assert not result.success
    assert ("agency/clients: GET /agency/api/workspace/clients answered HTTP 200 with an integer beyond 64 bits "
            "at $.results[1].seats") in failure_text(result)
    assert "send this field as a string" in failure_text(result)
    assert project.query("select * from agency.clients order by id") == before


def test_proxy_variables_of_the_environment_are_honoured(make_project, monkeypatch):
    # The session reads HTTP_PROXY and NO_PROXY once per origin rather than on every
    # request. The simulator also answers requests in a proxy's absolute form, so it
    # stands in for the proxy of an API host that no resolver knows.
    project = make_project(sizes={"agency": {"clients": 3}})
    monkeypatch.setenv("AGENCY_BASE_URL", "http://agency.api.invalid/agency")
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", project.sim.root_url)

    assert project.materialize("agency/clients").success
    assert project.count("agency", "clients") == 3

    monkeypatch.setenv("no_proxy", "agency.api.invalid")  # now sent straight to a host that does not resolve
    result = project.materialize("agency/clients", raise_on_error=False)
    assert not result.success
    assert "agency/clients" in failure_text(result)


@pytest.mark.parametrize(
    "body, expected",
    [
        (b'{"n":12345678901234567890}', True),
        (b'{"n":1234567890123456789}', False),  # 19 digits: within 64 bits
        (b'{"n":1234567890.1234567890}', False),  # a dot breaks the run
        (b'{"id":"99999999999999999999"}', True),  # in a string too: the careful parser then reads it
        (b"", False),
    ],
)
def test_a_twenty_digit_run_is_what_sends_a_page_to_the_careful_parser(body, expected):
    assert has_twenty_digit_run(body) is expected


def test_a_twenty_digit_string_takes_the_careful_parser_and_loads_unchanged(make_project):
    project = make_project(sizes={"agency": {"clients": 0}})
    page = b'{"results":[{"id":"c1","name":"12345678901234567890123"}],"hasMore":false}'
    project.sim.hooks.append(beyond_orjson(page))

    assert project.materialize("agency/clients").success
    assert project.query("select id, name from agency.clients") == [("c1", "12345678901234567890123")]
