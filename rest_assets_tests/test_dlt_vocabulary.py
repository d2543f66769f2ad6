"""A defs.yaml speaks dlt's own rest_api language: each form dlt accepts loads with the same meaning.

Each case is a dlt `rest_api_source` config as its Python author writes it, and the same config
as a defs.yaml translated by the README's two rules (a secret is named: `<key>_env`; a Python
object is an import path). dlt builds the first; the component loads the second, with one asset
per resource and the lineage dlt's dependency graph has; and `dg check yaml`'s schema accepts it.
Configurations dlt or the component refuse are refused by both the schema and the load.
"""

from __future__ import annotations

from textwrap import dedent

import dagster as dg
import pytest
import yaml
from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator
from dlt.sources.rest_api import rest_api_source
from jsonschema import Draft202012Validator

from rest_assets.orchestration.component import RestApiComponent
from rest_assets.engine.paginators import SizedPageNumberPaginator
from rest_assets.orchestration.definitions import build_definitions
from rest_assets.orchestration.loading import load_apis


def odd_ids(record: dict) -> bool:
    """A processing step referenced by import path from the YAML below."""
    return record["id"] % 2 == 1


def not_found_is_empty(response, *args, **kwargs):
    """A response action referenced by import path: dlt calls it as a response hook."""
    return response


BASE = "https://api.example.com"
# (dlt's Python config, the defs.yaml attributes, {asset: its parent's asset or None})
FORMS = {
    "public API, no auth": (
        {"client": {"base_url": BASE}, "resources": [{"name": "items", "endpoint": {"path": "items"}}]},
        """
        client: {base_url: https://api.example.com}
        resources: [{name: items, endpoint: {path: items}}]
        """,
        {"items": None},
    ),
    "bearer shorthand, no type": (
        {"client": {"base_url": BASE, "auth": {"token": "secret-1"}}, "resources": ["issues"]},
        """
        client: {base_url: https://api.example.com, auth: {token_env: API_TOKEN}}
        resources: [issues]
        """,
        {"issues": None},
    ),
    "a secret header, and headers": (
        {"client": {"base_url": BASE, "headers": {"X-Api-Key": "secret-2", "Accept": "application/json"}},
         "resources": ["things"]},
        """
        client:
          base_url: https://api.example.com
          headers: {X-Api-Key_env: API_KEY, Accept: application/json}
        resources: [things]
        """,
        {"things": None},
    ),
    "client paginator by name, resources as strings": (
        {"client": {"base_url": BASE, "paginator": "json_link"}, "resources": ["pokemon", "berry", "location"]},
        """
        client: {base_url: https://api.example.com, paginator: json_link}
        resources: [pokemon, berry, location]
        """,
        {"pokemon": None, "berry": None, "location": None},
    ),
    "client paginator as a dict, an instance in Python": (
        {"client": {"base_url": BASE, "paginator": JSONLinkPaginator(next_url_path="pagination.next")},
         "resources": [{"name": "orders", "endpoint": "orders"}]},
        """
        client: {base_url: https://api.example.com, paginator: {type: json_link, next_url_path: pagination.next}}
        resources: [{name: orders, endpoint: orders}]
        """,
        {"orders": None},
    ),
    "endpoint as a string, a child in the path": (
        {"client": {"base_url": BASE}, "resources": [
            {"name": "customer", "endpoint": "customer"},
            {"name": "orders", "endpoint": "customer/{resources.customer.id}/orders"}]},
        """
        client: {base_url: https://api.example.com}
        resources:
          - {name: customer, endpoint: customer}
          - {name: orders, endpoint: "customer/{resources.customer.id}/orders"}
        """,
        {"customer": None, "orders": "customer"},
    ),
    "api_key in the query": (
        {"client": {"base_url": BASE, "auth": {"type": "api_key", "name": "appid", "api_key": "k", "location": "query"}},
         "resources": ["weather"]},
        """
        client:
          base_url: https://api.example.com
          auth: {type: api_key, name: appid, api_key_env: WEATHER_KEY, location: query}
        resources: [weather]
        """,
        {"weather": None},
    ),
    "OAuth2 client credentials with token request data": (
        {"client": {"base_url": BASE, "auth": {
            "type": "oauth2_client_credentials", "access_token_url": f"{BASE}/token", "client_id": "id",
            "client_secret": "s", "access_token_request_data": {"audience": "api", "grant_type": "client_credentials"}}},
         "resources": ["jobs"]},
        """
        client:
          base_url: https://api.example.com
          auth:
            type: oauth2_client_credentials
            access_token_url: https://api.example.com/token
            client_id_env: CLIENT_ID
            client_secret_env: CLIENT_SECRET
            access_token_request_data: {audience: api, grant_type: client_credentials}
        resources: [jobs]
        """,
        {"jobs": None},
    ),
    "incremental as a param, a resolve param": (
        {"client": {"base_url": BASE}, "resources": [
            {"name": "issues", "endpoint": {"path": "issues", "params": {
                "since": {"type": "incremental", "cursor_path": "updated_at", "initial_value": "2024-01-01T00:00:00Z"}}}},
            {"name": "comments", "endpoint": {"path": "issues/{number}/comments", "params": {
                "number": {"type": "resolve", "resource": "issues", "field": "number"}}}}]},
        """
        client: {base_url: https://api.example.com}
        resources:
          - name: issues
            endpoint:
              path: issues
              params:
                since: {type: incremental, cursor_path: updated_at, initial_value: "2024-01-01T00:00:00Z"}
          - name: comments
            endpoint:
              path: "issues/{number}/comments"
              params: {number: {type: resolve, resource: issues, field: number}}
        """,
        {"issues": None, "comments": "issues"},
    ),
    "Python objects by import path": (
        {"client": {"base_url": BASE}, "resources": [{
            "name": "people", "processing_steps": [{"filter": odd_ids}],
            "endpoint": {"path": "people", "paginator": SizedPageNumberPaginator(page_size=50),
                         "response_actions": [{"status_code": 404, "action": not_found_is_empty}]}}]},
        """
        client: {base_url: https://api.example.com}
        resources:
          - name: people
            processing_steps: [{filter: "rest_assets_tests.test_dlt_vocabulary:odd_ids"}]
            endpoint:
              path: people
              paginator: {type: "rest_assets.engine.paginators:SizedPageNumberPaginator", page_size: 50}
              response_actions: [{status_code: 404, action: "rest_assets_tests.test_dlt_vocabulary:not_found_is_empty"}]
        """,
        {"people": None},
    ),
}


def component(attributes_yaml: str, name: str = "sixth") -> RestApiComponent:
    return RestApiComponent.from_attributes_dict(attributes={"name": name, **yaml.safe_load(dedent(attributes_yaml))})


def schema_accepts(attributes: dict) -> bool:
    """What `dg check yaml` decides: the component type's JSON schema, with dg's validator."""
    return Draft202012Validator(RestApiComponent.get_model_cls().model_json_schema()).is_valid(attributes)


def lineage(defs: dg.Definitions) -> dict[str, str | None]:
    graph = defs.resolve_asset_graph()
    return {
        key.path[-1]: next((parent.path[-1] for parent in graph.get(key).parent_keys), None)
        for key in graph.get_all_asset_keys()
    }


@pytest.mark.parametrize("form", FORMS)
def test_each_form_dlt_accepts_loads_with_one_asset_per_resource_and_dlts_lineage(form):
    python_config, attributes_yaml, expected = FORMS[form]
    assert set(rest_api_source(python_config, name="sixth").resources) == set(expected), "dlt builds it"

    assert schema_accepts({"name": "sixth", **yaml.safe_load(dedent(attributes_yaml))}), "dg check yaml accepts it"
    defs = build_definitions([component(attributes_yaml)])  # no secret is set: definitions need none
    assert lineage(defs) == expected


def test_an_incremental_param_is_a_window_everywhere():
    api = component(FORMS["incremental as a param, a resolve param"][1])
    issues = api.endpoints["issues"]
    assert issues.incremental["start_param"] == "since" and issues.incremental["cursor_path"] == "updated_at"
    assert not issues.complete_listing and not api.endpoints["comments"].complete_listing, "deletions never apply"
    assert "since" not in issues.config["endpoint"]["params"]


def test_templates_render_and_every_other_string_stays_as_the_yaml_wrote_it(monkeypatch):
    """A quoted number is a string to YAML and to dlt (a header value must be one); a template is rendered."""
    monkeypatch.setenv("SIXTH_BASE_URL", "https://sixth.example.com")
    api = component("""
        client: {base_url: "{{ env('SIXTH_BASE_URL') }}", headers: {X-Api-Version: "2"}}
        resources: [{name: items, endpoint: {path: items, params: {since: "2024", limit: 50}}}]
        """)
    assert api.client == {"base_url": "https://sixth.example.com", "headers": {"X-Api-Version": "2"}}
    assert api.resources[0]["endpoint"]["params"] == {"since": "2024", "limit": 50}


def test_secrets_are_named_in_the_ui_and_never_in_the_definitions(monkeypatch):
    monkeypatch.setenv("API_KEY", "the-secret-value")
    api = component(FORMS["a secret header, and headers"][1])
    defs = build_definitions([api])
    credentials = defs.resources[api.resource_key]
    assert api.secret_env_vars == ["API_KEY"]
    assert credentials.secrets == {"API_KEY": dg.EnvVar("API_KEY")}, "an EnvVar: read when a run starts"
    assert "the-secret-value" not in repr(api.model_dump()) + repr(credentials)


# Each is refused by the schema `dg check yaml` uses and by the definitions load alike.
REFUSED = {
    "a paginator dlt does not know": "resources: [{name: a, endpoint: {path: a, paginator: {type: pages}}}]",
    "a paginator's unknown parameter": "resources: [{name: a, endpoint: {path: a, paginator: {type: json_link, cursor_path: x}}}]",
    "an auth dlt does not know": "client: {base_url: https://x, auth: {type: digest}}\nresources: [a]",
    "an auth's unknown field": "client: {base_url: https://x, auth: {type: bearer, token_env: T, scope: read}}\nresources: [a]",
    "a secret written, not named": "client: {base_url: https://x, auth: {type: bearer, token: abc}}\nresources: [a]",
    "a resource key dlt does not know": "resources: [{name: a, primary_kee: id}]",
    "a method dlt does not send": "resources: [{name: a, endpoint: {path: a, method: PATCH}}]",
    "a write disposition dlt does not know": "resources: [{name: a, write_disposition: upsert_all}]",
    "a deletions mode the project does not know": "resources: [{name: a, deletions: purge}]",
    "a client without a base_url": "client: {headers: {Accept: text/csv}}\nresources: [a]",
}


@pytest.mark.parametrize("case", REFUSED)
def test_what_dg_check_yaml_refuses_the_definitions_load_refuses(case):
    attributes = {"client": {"base_url": "https://x"}, **yaml.safe_load(REFUSED[case])}
    assert not schema_accepts({"name": "sixth", **attributes})
    with pytest.raises(Exception, match="sixth|validation error"):
        build_definitions([component(yaml.safe_dump(attributes))])


def test_a_refused_config_is_refused_every_time_and_an_accepted_one_stays_accepted():
    """Parts dlt accepted are not validated again (Dagster validates a component three times as it loads it);
    a refused one is never remembered."""
    refused = {"client": {"base_url": "https://x", "auth": {"type": "digest"}}, "resources": ["a"]}
    for _ in range(2):
        with pytest.raises(Exception, match="auth_type=digest"):
            component(yaml.safe_dump(refused))
    accepted = {**refused, "client": {"base_url": "https://x", "auth": {"type": "bearer", "token_env": "T"}}}
    assert component(yaml.safe_dump(accepted)).client == component(yaml.safe_dump(accepted)).client


def test_the_five_apis_pass_the_schema():
    for path in sorted((__import__("pathlib").Path(__file__).parents[1] / "rest_assets" / "defs").glob("*/defs.yaml")):
        assert schema_accepts(yaml.safe_load(path.read_text())["attributes"]), path
    assert {api.name for api in load_apis()} == {"agency", "datasync", "resourcing", "taskrouter", "workhub"}


# --- the same forms, synced from the simulator through Dagster ---------------------------------


def api_named(name: str):
    return next(api for api in load_apis() if api.name == name)


def test_a_secret_header_instead_of_an_auth_syncs(make_project):
    project = make_project(sizes={"workhub": {"users": 12}})
    workhub = api_named("workhub")
    client = {"base_url": workhub.base_url, "headers": {"api_key_env": "WORKHUB_API_KEY"}}  # the key, as a header
    defs = build_definitions([workhub.replace(client=client)])

    assert project.materialize("workhub/users", defs=defs).success
    assert project.count("workhub", "users") == 12


def test_an_incremental_param_syncs_a_window_that_deletions_leave_alone(make_project):
    project = make_project(sizes={"resourcing": {"logged_time": 40}})
    resourcing = api_named("resourcing")
    incremental = {"type": "incremental", "cursor_path": "modified", "convert": "%Y-%m-%dT%H:%M:%SZ"}
    resources = [r if r["name"] != "logged_time" else
                 {"name": "logged_time", "endpoint": {"path": "/logged-time", "params": {"modified_since": incremental}}}
                 for r in resourcing.resources]
    defs = build_definitions([resourcing.replace(resources=resources)])
    assert defs.get_sensor_def("resourcing_logged_time_changes"), "a change sensor probes the param"

    assert project.materialize("resourcing/logged_time", defs=defs).success
    cursor = project.query("select max(modified) from resourcing.logged_time")[0][0]
    project.sim.clear_requests()
    project.sim.delete_rows("resourcing", "logged_time", project.keys("resourcing", "logged_time", "id")[:30])
    result = project.materialize("resourcing/logged_time", defs=defs)

    sent = {r.query.get("modified_since") for r in project.sim.requests if r.path == "/logged-time"}
    assert sent == {cursor.strftime("%Y-%m-%dT%H:%M:%SZ")}, "the second run reads from the saved cursor"
    assert project.metadata(result, "logged_time")["rows_deleted"].value == 0, "a window sees no deletions"
    assert project.count("resourcing", "logged_time") == 40, "no row of the window is removed either"


def test_a_processing_step_by_import_path_filters_rows(make_project):
    project = make_project(sizes={"agency": {"clients": 20}})
    agency = api_named("agency")
    resources = [{**r, "processing_steps": [{"filter": "rest_assets_tests.test_dlt_vocabulary:odd_ids"}]}
                 if r["name"] == "clients" else r for r in agency.resources]

    assert project.materialize("agency/clients", defs=build_definitions([agency.replace(resources=resources)])).success
    assert project.keys("agency", "clients", "id") and all(i % 2 == 1 for i in project.keys("agency", "clients", "id"))
