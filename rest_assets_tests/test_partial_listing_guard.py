"""A listing cut short fails the run and loads nothing: the guard on every resource's paging (engine/paginators.py).

A resource read as one page (single_page declared, dlt's default for a detail path, or none
detected by dlt) or whose paginator stopped, while the last answer says more follow, fails naming
the API, the resource, the request and the sign; `one_page: true` declares a resource one page.
The APIs are the simulator's over loopback (`rest_assets_sim.paging_signs` pages organizations and
their projects in each way real APIs announce more), the warehouse a DuckDB file, the syncs the
engine's own (`sync`) and, end to end, Dagster's `materialize`.
"""

from __future__ import annotations

import json
import uuid
from textwrap import dedent

import duckdb
import pytest
import requests
from dagster import AssetSelection, DagsterInstance, materialize
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from rest_assets.engine.auth import Credentials
from rest_assets.engine.declaration import RestApi
from rest_assets.engine.errors import SyncFailed
from rest_assets.engine.signs_of_more import header_links, sign_of_more
from rest_assets.engine.sync import sync
from rest_assets.engine.warehouse import Warehouse
from rest_assets.orchestration.component import RestApiComponent
from rest_assets.orchestration.loading import load_apis
from rest_assets_sim.paging_signs import AnnouncedPaging
from rest_assets_tests.conftest import failure_text, run_credentials

# What the guard says it saw, per style of announcing more (3 organizations, 2 a page: one page read).
SIGNS = {
    "sentry_link": 'the answer\'s Link header has rel="next"',
    "link": 'the answer\'s Link header has rel="next"',
    "next_url": "`next` holds a link to a next page",
    "cursor": "`response_metadata.next_cursor` holds a reference to a next page",
    "page_token": "`nextPageToken` holds a reference to a next page",
    "has_more": "`has_more` is true",
    "total": "`total` is 3 but 2 records were read",
    "meta_total": "`meta.total` is 3 but 2 records were read",
    "total_header": "the answer's X-Total-Count header is 3 but 2 records were read",
}
# Styles whose sign dlt's paginator detection follows when a resource declares no paginator. Not
# sentry_link: dlt detects header_link, which follows the last page's next link although Sentry marks
# it results="false", through empty pages until the page cap.
DETECTED_BY_DLT = {"link", "next_url", "cursor", "page_token"}
ONE_PAGE = "ended its listing after 1 page and 2 records"


def paged_api(paging: AnnouncedPaging, organizations: dict, projects: dict | None = None) -> RestApi:
    """A declaration of the paged API: organizations (and their projects), with these extra keys each."""
    resources = [{"name": "organizations", "primary_key": "id", "endpoint": {"path": "/organizations"}, **organizations}]
    if projects is not None:
        resources.append({"name": "projects", "primary_key": "id", **projects,
                          "endpoint": {"path": "/organizations/{resources.organizations.slug}/projects",
                                       **projects.get("endpoint", {})}})
    return RestApi.model_validate({"name": "paged", "client": {"base_url": paging.base_url}, "resources": resources})


def endpoint(**keys) -> dict:
    return {"endpoint": {"path": "/organizations", **keys}}


class Warehouses:
    """Syncs of one project's DuckDB file, and what its tables hold."""

    def __init__(self, project) -> None:
        self.project = project
        self.warehouse = Warehouse(duckdb_path=str(project.duckdb_path), data_dir=str(project.data_dir))

    def sync(self, api: RestApi, names: list[str] | None = None, credentials: Credentials | None = None):
        return sync(api, names or api.resource_names, credentials or Credentials(secrets={}), self.warehouse,
                    run_id=uuid.uuid4().hex)

    def fails(self, api: RestApi, names: list[str] | None = None, credentials: Credentials | None = None) -> str:
        with pytest.raises(SyncFailed) as failed:
            self.sync(api, names, credentials)
        return str(failed.value)

    def rows(self, dataset: str, table: str) -> list[tuple]:
        if not self.project.duckdb_path.exists():
            return []
        with duckdb.connect(str(self.project.duckdb_path), read_only=True) as connection:
            if not connection.execute("select 1 from duckdb_tables() where schema_name = ? and table_name = ?",
                                      [dataset, table]).fetchall():
                return []
            return connection.execute(f"select * from {dataset}.{table} order by id").fetchall()

    def names(self, dataset: str, table: str) -> list[str]:
        return [row[0] for row in self.project.query(f"select name from {dataset}.{table} order by id")]


@pytest.fixture
def warehouses(project) -> Warehouses:
    return Warehouses(project)


# --- each sign, on a resource read as one page -------------------------------------------------


@pytest.mark.parametrize("style", sorted(SIGNS))
def test_a_single_page_resource_whose_answer_says_more_fails_and_loads_nothing(project, warehouses, style):
    paging = AnnouncedPaging(project.sim.root_url, style)
    project.sim.hooks.append(paging)

    warehouses.sync(paged_api(paging, {"one_page": True}))  # the opt-out: the one page, as declared
    assert warehouses.names("paged", "organizations") == ["Organization 1 r1", "Organization 2 r1"]
    before = warehouses.rows("paged", "organizations")
    paging.revision += 1  # what a run that loaded anything would change

    message = warehouses.fails(paged_api(paging, endpoint(paginator="single_page")))
    assert message.startswith(f"paged/organizations: GET /paging-signs/{style}/organizations {ONE_PAGE} "
                              f"(read as one page: single_page), but the answer says more follow: {SIGNS[style]}.")
    assert "set `one_page: true` on it" in message and "Nothing from this run was loaded" in message
    assert "cursor=" not in message, "the query string stays out of messages"
    assert warehouses.rows("paged", "organizations") == before


@pytest.mark.parametrize("style", sorted(set(SIGNS) - {"sentry_link"}))
def test_a_resource_without_a_paginator_is_paged_by_dlts_detection_or_fails_naming_the_sign(project, warehouses, style):
    paging = AnnouncedPaging(project.sim.root_url, style)
    project.sim.hooks.append(paging)
    undeclared = paged_api(paging, {})

    if style in DETECTED_BY_DLT:
        warehouses.sync(undeclared)
        assert warehouses.names("paged", "organizations") == [f"Organization {n} r1" for n in (1, 2, 3)]
    else:
        message = warehouses.fails(undeclared)
        assert (f"{ONE_PAGE} (no paginator declared, and dlt detected none in the first answer), "
                f"but the answer says more follow: {SIGNS[style]}.") in message
        assert warehouses.rows("paged", "organizations") == []


def test_sentrys_next_link_without_results_is_no_sign(project, warehouses):
    """Sentry's last page still has a next link, marked results="false": one page holding everything passes."""
    paging = AnnouncedPaging(project.sim.root_url, "sentry_link", page_size=10)
    project.sim.hooks.append(paging)
    warehouses.sync(paged_api(paging, endpoint(paginator="single_page")))
    assert len(warehouses.rows("paged", "organizations")) == 3


@pytest.mark.parametrize("style", ["has_more", "total", "next_url", "meta_total"])
def test_fields_of_the_records_and_a_detail_answer_are_no_signs(project, warehouses, style):
    """Every record carries `next`, `has_more` and `total` of its own: neither a whole listing on one page
    nor a detail endpoint (the answer is the record; dlt reads it with single_page) fails."""
    paging = AnnouncedPaging(project.sim.root_url, style, page_size=10)
    project.sim.hooks.append(paging)
    details = {"name": "details", "primary_key": "id",
               "endpoint": {"path": "/organizations/{resources.organizations.slug}"}}
    api = paged_api(paging, endpoint(paginator="single_page"))
    warehouses.sync(api.replace(resources=[*api.resources, details]))
    assert len(warehouses.rows("paged", "organizations")) == 3
    assert project.query("select id, total from paged.details order by id") == [(1, 1000), (2, 1000), (3, 1000)]


# --- children, and paginators that stop ----------------------------------------------------------


def test_a_childs_listing_cut_short_fails_and_its_parent_is_not_loaded_either(project, warehouses):
    paging = AnnouncedPaging(project.sim.root_url, "next_url")
    project.sim.hooks.append(paging)
    parents = endpoint(paginator={"type": "json_link", "next_url_path": "next"})
    warehouses.sync(paged_api(paging, parents, {"one_page": True}))
    assert len(warehouses.rows("paged", "organizations")) == 3 and len(warehouses.rows("paged", "projects")) == 6
    before = {table: warehouses.rows("paged", table) for table in ("organizations", "projects")}
    paging.revision += 1

    message = warehouses.fails(paged_api(paging, parents, {"endpoint": {"paginator": "single_page"}}))
    assert "paged/projects: GET /paging-signs/next_url/organizations/org-" in message
    assert (f"/projects {ONE_PAGE} (read as one page: single_page), "
            f"but the answer says more follow: {SIGNS['next_url']}") in message
    assert {table: warehouses.rows("paged", table) for table in before} == before, "nothing of the sync is loaded"


PAGINATORS = {
    # limit 5 against a server serving at most 2 a page: offsets 0 and 5 read 4 records, then 10 > total
    "offset beyond the served page": {"type": "offset", "limit": 5, "total_path": "total"},
    "offset": {"type": "offset", "limit": 2, "total_path": "total"},
    "short page": {"type": "sized_page_number", "page_size": 2, "page_size_param": "per_page"},
    "capped": {"type": "page_number", "base_page": 1, "total_path": None, "maximum_page": 3},
}


@pytest.mark.parametrize("name, loaded", [("offset beyond the served page", None), ("offset", 9), ("short page", 9),
                                          ("capped", 4)])
def test_a_paginator_that_stops_while_the_total_says_more_fails(project, warehouses, name, loaded):
    """It passes when the total equals what was read (a short or empty last page), or at its declared cap."""
    paging = AnnouncedPaging(project.sim.root_url, "total", organizations=9, max_page_size=2)
    project.sim.hooks.append(paging)
    api = paged_api(paging, endpoint(paginator=PAGINATORS[name]))

    if loaded is None:
        message = warehouses.fails(api)
        assert ("ended its listing after 2 pages and 4 records (its paginator, offset, stopped), "
                "but the answer says more follow: `total` is 9 but 4 records were read.") in message
        assert "`maximum_page` or `maximum_offset`" in message
        assert warehouses.rows("paged", "organizations") == []
    else:
        warehouses.sync(api)
        assert len(warehouses.rows("paged", "organizations")) == loaded
    assert api.endpoints["organizations"].complete_listing is (name != "capped"), "a capped listing infers no deletions"


# --- the project's APIs --------------------------------------------------------------------------

# A resource of each API re-declared single_page (as a generator that cannot infer paging would), and
# what its server's answer says. resourcing (page numbers, no total) and datasync's jobs (offsets, only
# the data) announce nothing: the guard cannot see their listings cut short.
PROJECT_APIS = {
    "taskrouter/workspaces": "`meta.next_page_url` holds a link to a next page",
    "taskrouter/workers": "`meta.next_page_url` holds a link to a next page",
    "agency/clients": "`hasMore` is true",
    "workhub/tasks": "`pagination.hasMore` is true",
    "datasync/connections": "`next` holds a link to a next page",
}
SIZES = {"taskrouter": {"workspaces": 60, "workers": 2}, "agency": {"clients": 150}, "workhub": {"tasks": 150},
         "datasync": {"connections": 150}}


def single_page(api: RestApi, resource: str) -> RestApi:
    resources = [dict(r, endpoint={**r["endpoint"], "paginator": "single_page"}) if r["name"] == resource else r
                 for r in api.resources]
    return api.replace(resources=resources)


@pytest.mark.parametrize("asset", sorted(PROJECT_APIS))
def test_each_project_api_read_as_one_page_fails_naming_its_sign(make_project, asset):
    api_name, resource = asset.split("/")
    project = make_project(sizes={api_name: SIZES[api_name]} if resource != "workers"
                           else {"taskrouter": {"workspaces": 2, "workers": 60}})
    api = next(api for api in load_apis() if api.name == api_name)

    message = Warehouses(project).fails(single_page(api, resource), [resource], run_credentials(api))

    assert message.startswith(f"{asset}: GET /")
    assert f"(read as one page: single_page), but the answer says more follow: {PROJECT_APIS[asset]}." in message
    assert not project.duckdb_path.exists() or not project.query(
        f"select * from duckdb_tables() where schema_name = '{api_name}'")


# --- end to end: Sentry's paging, through Dagster -------------------------------------------------

TRACKER = dedent("""
    type: rest_assets.RestApiComponent
    attributes:
      name: tracker
      client:
        base_url: "{{ env('TRACKER_BASE_URL', 'https://tracker.example.com') }}"
      resource_defaults:
        primary_key: id
        endpoint: {params: {per_page: PER_PAGE}}
        one_page: ONE_PAGE
      resources:
        - name: organizations
          endpoint: {path: /organizations, paginator: single_page}
        - name: projects
          endpoint: {path: "/organizations/{resources.organizations.slug}/projects", paginator: single_page}
""")


def test_a_sentry_like_api_read_as_one_page_fails_in_dagster_and_keeps_its_tables(project, tmp_path, monkeypatch):
    """3 organizations and 9 projects, 2 a page by Sentry's Link headers; the resources declared single_page.

    Read with a page that holds everything (`per_page: 100`, `one_page: true`), it loads all of them;
    with Sentry's 2 a page, the run fails naming the resource and the Link header, and loads nothing."""
    paging = AnnouncedPaging(project.sim.root_url, "sentry_link")
    project.sim.hooks.append(paging)
    monkeypatch.setenv("TRACKER_BASE_URL", paging.base_url)

    def materialize_tracker(per_page: int, one_page: bool):
        folder = tmp_path / f"apis-{per_page}-{one_page}"  # one each: definitions are built once per environment
        (folder / "tracker").mkdir(parents=True)
        text = TRACKER.replace("PER_PAGE", str(per_page)).replace("ONE_PAGE", str(one_page).lower())
        (folder / "tracker" / "defs.yaml").write_text(text)
        monkeypatch.setenv("REST_ASSETS_API_PATH", str(folder))
        defs = project.definitions()
        with DagsterInstance.ephemeral() as instance:
            return materialize(list(defs.assets), resources=defs.resources, instance=instance,
                               selection=AssetSelection.groups("tracker"), raise_on_error=False)

    assert materialize_tracker(per_page=100, one_page=True).success
    before = {table: project.query(f"select * from tracker.{table} order by id")
              for table in ("organizations", "projects")}
    assert [len(rows) for rows in before.values()] == [3, 9]
    paging.revision += 1

    result = materialize_tracker(per_page=2, one_page=False)

    assert not result.success
    message = failure_text(result)
    assert ('tracker/organizations: GET /paging-signs/sentry_link/organizations ended its listing after 1 page and '
            '2 records (read as one page: single_page), but the answer says more follow: the answer\'s Link header has '
            'rel="next". Declare how the API pages, e.g. `header_link`') in message
    assert {table: project.query(f"select * from tracker.{table} order by id") for table in before} == before


# --- declaring one page --------------------------------------------------------------------------


def declared(**resource) -> RestApi:
    return RestApi.model_validate({
        "name": "paged", "client": {"base_url": "https://api.example.com"},
        "resource_defaults": {"endpoint": {"paginator": {"type": "cursor", "cursor_path": "next_cursor"}}},
        "resources": [{"name": "organizations", "endpoint": {"path": "/organizations"}, **resource}],
    })


def test_one_page_overrides_a_paginator_from_resource_defaults_and_is_read_with_single_page():
    organizations = declared(one_page=True).endpoints["organizations"]
    assert organizations.keys.one_page and organizations.config["endpoint"]["paginator"] == "single_page"
    assert "one_page" not in organizations.config, "dlt never sees the project's key"
    assert not declared().endpoints["organizations"].keys.one_page


def test_one_page_beside_another_paginator_is_refused_when_the_definitions_load():
    with pytest.raises(ValidationError, match=r"paged: resource 'organizations': `one_page: true` beside "
                                              r"`paginator: offset`: a one-page resource is read with single_page"):
        declared(one_page=True, endpoint={"path": "/organizations", "paginator": {"type": "offset", "limit": 10}})
    assert declared(one_page=True, endpoint={"path": "/organizations", "paginator": "single_page"}).endpoints[
        "organizations"].keys.one_page


def test_one_page_in_resource_defaults_yields_to_a_resources_own_paginator():
    api = RestApi.model_validate({
        "name": "paged", "client": {"base_url": "https://api.example.com"}, "resource_defaults": {"one_page": True},
        "resources": ["organizations",
                      {"name": "projects", "endpoint": {"path": "/projects", "paginator": "header_link"}}],
    })
    assert api.endpoints["organizations"].keys.one_page and not api.endpoints["projects"].keys.one_page


def test_one_page_must_be_true_or_false_for_the_load_and_for_dg_check_yaml():
    with pytest.raises(ValidationError, match=r"resources\[0\]/one_page: 'yes' is not true or false"):
        declared(one_page="yes")
    schema = RestApiComponent.get_model_cls().model_json_schema()
    attributes = {"name": "paged", "client": {"base_url": "https://api.example.com"},
                  "resource_defaults": {"one_page": True}, "resources": [{"name": "organizations", "one_page": False}]}
    assert not list(Draft202012Validator(schema).iter_errors(attributes))
    attributes["resources"][0]["one_page"] = "yes"
    assert list(Draft202012Validator(schema).iter_errors(attributes))


# --- the signs, answer by answer -----------------------------------------------------------------


def answer(body, headers: dict | None = None, url: str = "https://api.example.com/items?cursor=c2&limit=2"):
    response = requests.Response()
    response._content, response.status_code, response.url = json.dumps(body).encode(), 200, url
    response.headers.update(headers or {})
    response.request = requests.Request("GET", url).prepare()
    return response


RECORDS = [{"id": 1}, {"id": 2}]


@pytest.mark.parametrize("body, headers, read, sign", [
    ({"data": RECORDS, "next": "https://api.example.com/items?cursor=c2&limit=2"}, None, 2, None),  # the request itself
    ({"data": RECORDS, "cursor": "c2"}, None, 2, None),  # the cursor just sent
    ({"data": RECORDS, "cursor": "c3"}, None, 2, "`cursor` holds a reference to a next page"),
    ({"results": RECORDS, "count": 2, "next": None}, None, 2, None),  # the page's own size
    ({"results": RECORDS, "count": 9, "next": None}, None, 6, "`count` is 9 but 6 records were read"),
    ({"results": RECORDS, "count": 6}, None, 6, None),  # across the listing, not the page
    ({"data": RECORDS, "total": 12.5}, None, 2, None),  # a sum, not a count
    ({"data": RECORDS, "has_more": False, "cursor": "c9"}, None, 2, None),  # Dropbox: an explicit no wins
    ({"data": RECORDS, "meta": {"pagination": {"total_pages": 3}}}, None, 2,
     "`meta.pagination.total_pages` is 3 but 1 page was read"),
    ({"data": RECORDS, "_links": {"next": {"href": "/items?page=2"}}}, None, 2,
     "`_links.next.href` holds a link to a next page"),
    ({"data": RECORDS, "paging": {"cursors": {"after": "x"}}}, None, 2, None),  # not a key the guard reads
    ({"data": [{"id": 1, "next": "https://x", "total": 50, "has_more": True}]}, None, 1, None),
    (RECORDS, {"Link": '<https://api.example.com/items?cursor=c1>; rel="prev first", '
                       '<https://api.example.com/items?a=1,2;b>; rel="last next"'}, 2,
     'the answer\'s Link header has rel="next"'),
    (RECORDS, {"Link": '<https://api.example.com/items?cursor=c3>; rel="next"; results="false"'}, 2, None),
    (RECORDS, {"X-Total-Count": "2"}, 2, None),
])
def test_what_counts_as_a_sign_of_more(body, headers, read, sign):
    response = answer(body, headers)
    data = body if isinstance(body, list) else body.get("data") or body.get("results")
    found = sign_of_more(response, data, read, 1)
    assert (found and found.what) == sign


def test_a_link_header_is_parsed_whole():
    value = '<https://x/a?q=1,2>; rel="next"; title="a; b, c", <https://x/b>; REL=prev; rel=ignored'
    assert list(header_links(value)) == [("https://x/a?q=1,2", {"rel": "next", "title": "a; b, c"}),
                                         ("https://x/b", {"rel": "prev"})]
