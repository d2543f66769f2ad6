"""An API's defs.yaml from its OpenAPI document: three real documents (fixtures/openapi/README.md).

Each generated file loads as the project loads a defs.yaml; the one of Airbyte's public API (the API
behind `datasync`) and the one of Twilio TaskRouter (behind `taskrouter`) are compared with the
project's own declarations; the Airbyte one, read from a URL, syncs against the simulator; and
`dg scaffold defs ... --openapi` writes what `python -m rest_assets.openapi` writes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from textwrap import dedent
from urllib.parse import urlparse

import pytest
import yaml
from dagster import AssetKey, DagsterInstance, materialize

from rest_assets.orchestration.component import RestApiComponent
from rest_assets.engine.openapi import Document, OpenApiError, build, generate, load_document, plain
from rest_assets.orchestration.scaffolder import validate_defs_yaml
from rest_assets.openapi import main as openapi_command
from rest_assets_sim import Response
from rest_assets_tests.conftest import REPO_ROOT, clean_env
from rest_assets_tests.test_deploy import dg

FIXTURES = Path(__file__).parent / "fixtures" / "openapi"
TWILIO = FIXTURES / "twilio_taskrouter_v1.json"
AIRBYTE = FIXTURES / "airbyte_api.yaml"
SLACK = FIXTURES / "slack_web_openapi_v2_without_examples.json"


def generated(path: Path, name: str) -> tuple[str, RestApiComponent]:
    """The generated text, and the component the project loads from it."""
    text = generate(load_document(str(path)), name, path.name)
    return text, RestApiComponent.from_attributes_dict(attributes=yaml.safe_load(text)["attributes"])


def hand_written(api: str) -> RestApiComponent:
    attributes = yaml.safe_load((REPO_ROOT / "rest_assets" / "defs" / api / "defs.yaml").read_text())["attributes"]
    return RestApiComponent.from_attributes_dict(attributes=attributes)


def full_paths(api: RestApiComponent) -> dict[str, str]:
    """Each resource's path under the host: the base URL's path and the endpoint's."""
    base = urlparse(api.base_url).path.rstrip("/")
    return {name: base + endpoint.path for name, endpoint in api.endpoints.items()}


def paginators(api: RestApiComponent) -> dict[str, dict]:
    return {name: dict(endpoint.config["endpoint"]["paginator"]) if isinstance(endpoint.config["endpoint"]["paginator"],
                                                                               dict)
            else {"type": endpoint.config["endpoint"]["paginator"]} for name, endpoint in api.endpoints.items()}


@pytest.mark.parametrize("path", [TWILIO, AIRBYTE, SLACK], ids=lambda p: p.stem)
def test_each_document_gives_a_file_that_loads_with_its_comments_only_comments(path):
    text = generate(load_document(str(path)), "api", path.name)
    validate_defs_yaml(text)  # the component, its definitions, the whole asset graph
    assert yaml.safe_load(text) == plain(build(Document(load_document(str(path))), "api", path.name)), (
        "the comments change nothing: the file holds exactly the data that was built")
    assert text.startswith("# api: generated from the OpenAPI document " + path.name)


def test_airbyte_compared_with_the_hand_written_datasync():
    text, ours = generated(AIRBYTE, "datasync")
    theirs = hand_written("datasync")
    shared = ["jobs", "connections", "workspaces"]
    assert ours.resource_names == [*shared, "permissions", "organizations", "users"]
    assert {n: full_paths(ours)[n] for n in shared} == full_paths(theirs) == {
        "jobs": "/v1/jobs", "connections": "/v1/connections", "workspaces": "/v1/workspaces"}
    for name in shared:
        assert ours.endpoints[name].primary_key == theirs.endpoints[name].primary_key
        assert ours.endpoints[name].config["endpoint"]["data_selector"] == "data"
        assert theirs.endpoints[name].config["endpoint"]["data_selector"] == "data"
        assert ours.endpoints[name].parent is theirs.endpoints[name].parent is None
    assert ours.client["auth"] == {**theirs.client["auth"],
                                   "access_token_url": "https://api.airbyte.com/v1/applications/token"}
    assert ours.secret_env_vars == theirs.secret_env_vars == ["DATASYNC_CLIENT_ID", "DATASYNC_CLIENT_SECRET"]
    # Where they differ. Jobs: the document gives a `next` link (the simulator's jobs have only offset/limit).
    assert paginators(ours)["jobs"] == {"type": "json_link", "next_url_path": "next"}
    assert paginators(theirs)["jobs"]["type"] == "offset"
    assert paginators(ours)["connections"] == paginators(theirs)["connections"] == {
        "type": "json_link", "next_url_path": "next"}
    assert {n: ours.endpoints[n].config["endpoint"].get("params") for n in shared} == dict.fromkeys(shared, {"limit": 100})
    # Column hints: only the schema's descriptions and integer types; the hand-written ones type every column.
    assert ours.endpoints["jobs"].columns["jobId"] == {"data_type": "bigint"}
    assert ours.endpoints["jobs"].columns["duration"] == {"description": "Duration of a sync in ISO_8601 format"}
    assert "lastUpdatedAt" not in ours.endpoints["jobs"].columns and "lastUpdatedAt" in theirs.endpoints["jobs"].columns
    assert ours.endpoints["users"].parent == "organizations", "a required query parameter naming a parent's key"
    assert ours.endpoints["users"].config["endpoint"]["params"] == {"organizationId": "{resources.organizations.organizationId}"}
    assert "Incremental candidate: ?updatedAtStart (it takes a date-time) filters on `lastUpdatedAt`" in " ".join(
        text.replace("#  ", "").split())


def test_twilio_taskrouter_compared_with_the_hand_written_taskrouter():
    text, ours = generated(TWILIO, "taskrouter")
    theirs = hand_written("taskrouter")
    for name in ("workspaces", "workers"):
        assert ours.endpoints[name].config["endpoint"]["data_selector"] == theirs.endpoints[name].config["endpoint"][
            "data_selector"] == name
        assert ours.endpoints[name].primary_key == theirs.endpoints[name].primary_key == ("sid",)
        assert paginators(ours)[name] == paginators(theirs)[name] == {"type": "json_link",
                                                                      "next_url_path": "meta.next_page_url"}
    assert ours.endpoints["workers"].parent == theirs.endpoints["workers"].parent == "workspaces"
    assert ours.endpoints["workers"].parent_params == theirs.endpoints["workers"].parent_params
    assert ours.client["auth"]["type"] == theirs.client["auth"]["type"] == "http_basic"
    # Where they differ: the simulator's stand-in path, the env var names, the page size, the other resources.
    assert (full_paths(ours)["workers"], full_paths(theirs)["workers"]) == (
        "/v1/Workspaces/{resources.workspaces.sid}/Workers", "/v1/resource/{resources.workspaces.sid}/Workers")
    assert ours.secret_env_vars == ["TASKROUTER_USERNAME", "TASKROUTER_PASSWORD"]
    assert theirs.secret_env_vars == ["TASKROUTER_ACCOUNT_SID", "TASKROUTER_AUTH_TOKEN"]
    assert ours.endpoints["workers"].config["endpoint"]["params"] == {"PageSize": 1000}
    assert theirs.endpoints["workers"].config["endpoint"]["params"] == {"PageSize": 50}
    assert ours.resource_names == ["workspaces", "activities", "events", "tasks", "task_channels", "task_queues",
                                   "task_reservations", "workers", "channels", "worker_reservations", "workflows"]
    # A grandchild: both of its path parameters from its parent's record.
    assert ours.endpoints["task_reservations"].path == (
        "/v1/Workspaces/{resources.tasks.workspace_sid}/Tasks/{resources.tasks.sid}/Reservations")
    assert ours.endpoints["workers"].columns["date_updated"]["data_type"] == "timestamp"
    assert ours.endpoints["workers"].columns["sid"] == {
        "description": "The unique string that we created to identify the Worker resource."}
    # TaskQueue statistics have no key: written, commented out, with why.
    assert "# - name: statistics" in text and "No primary key" in text


def test_slack_swagger_2_cursor_pages_and_what_is_left_to_the_user():
    text, ours = generated(SLACK, "slack")
    assert ours.base_url == "https://slack.com/api"
    assert ours.client["auth"] == {"type": "bearer", "token_env": "SLACK_API_TOKEN"}
    assert "Its OAuth2 flow (accessCode) needs a person to authorize" in text
    assert paginators(ours)["conversations"] == {
        "type": "cursor", "cursor_path": "response_metadata.next_cursor", "cursor_param": "cursor"}
    assert paginators(ours)["files"] == {"type": "page_number", "page_param": "page", "base_page": 1,
                                         "total_path": "paging.pages"}
    assert ours.endpoints["conversations"].config["endpoint"]["data_selector"] == "channels"
    assert {"users", "usergroups", "reminders", "files"} <= set(ours.resource_names)
    assert "conversations_history" not in ours.resource_names, "messages have no key: left to the user"
    assert "# - name: conversations_history" in text
    assert "Paging not inferred: the document shows limit, cursor, `has_more`" in text
    assert "GET /conversations.members: its list `members` holds values, not records" in text
    assert '?channel could take each conversations record\'s id ("{resources.conversations.id}")' in " ".join(
        text.replace("#  ", "").split())


def test_inline_forms_link_header_offset_allof_api_key_and_a_missing_key():
    """A small document (written here, not an API's) for the forms the three real ones do not use."""
    document = yaml.safe_load(dedent("""
        openapi: 3.0.3
        info: {title: Inventory, version: "1"}
        servers: [{url: "https://{region}.inventory.test/api", variables: {region: {default: eu}}}]
        components:
          securitySchemes:
            key: {type: apiKey, in: query, name: api_key}
          schemas:
            Named: {type: object, properties: {name: {type: string, description: The item's name.}}}
            Item:
              allOf:
                - $ref: "#/components/schemas/Named"
                - {type: object, properties: {id: {type: integer}, modified: {type: string, format: date-time}}}
        paths:
          /items:
            get:
              parameters:
                - {name: page, in: query, schema: {type: integer, minimum: 1}}
                - {name: per_page, in: query, schema: {type: integer, maximum: 5000}}
                - {name: modified_since, in: query, schema: {type: string, format: date-time}}
              responses:
                "200":
                  headers: {Link: {schema: {type: string}}}
                  content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Item"}}}}
          /stock:
            get:
              parameters:
                - {name: offset, in: query, schema: {type: integer}}
                - {name: limit, in: query, schema: {type: integer, default: 50}}
              responses:
                "200":
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          total: {type: integer}
                          results: {type: array, items: {type: object, properties: {sku: {type: string}}}}
    """))
    text = generate(document, "inventory")
    validate_defs_yaml(text)
    api = RestApiComponent.from_attributes_dict(attributes=yaml.safe_load(text)["attributes"])
    assert api.base_url == "https://eu.inventory.test/api"
    assert api.client["auth"] == {"type": "api_key", "name": "api_key", "location": "query",
                                  "api_key_env": "INVENTORY_API_KEY"}
    items = api.endpoints["items"]
    assert items.config["endpoint"]["paginator"] == "header_link"
    assert items.config["endpoint"]["params"] == {"per_page": 1000}
    assert items.columns == {"name": {"description": "The item's name."}, "id": {"data_type": "bigint"},
                             "modified": {"data_type": "timestamp"}}, "allOf: the fields of every part"
    assert "per_page: the document allows up to 5000; 1000 asked for." in text
    assert "endpoint.incremental: {cursor_path: modified, start_param: modified_since}" in " ".join(
        text.replace("#  ", "").split())
    assert "# - name: stock" in text, "no key in the records: commented out"
    assert "offset_param: offset, limit_param: limit, total_path: total" in text, "the paginator is written all the same"

    with pytest.raises(OpenApiError, match="no list endpoint"):
        generate({"openapi": "3.0.0", "info": {"title": "x"}, "paths": {}}, "empty")
    with pytest.raises(OpenApiError, match="does not load, a bug of the generator"):
        validate_defs_yaml(text.replace("path: /items", "path: /items/{resources.nothing.id}"))


def test_generated_from_a_url_syncs_against_the_simulator(make_project, tmp_path, monkeypatch):
    """Airbyte's document, served over HTTP, becomes the API `airbyte`; the simulator's datasync answers it."""
    project = make_project(sizes={"datasync": {"connections": 250}})
    served = AIRBYTE.read_text()
    project.sim.hooks.append(lambda ctx: Response(200, served, {"Content-Type": "application/yaml"})
                             if ctx.path == "/openapi/airbyte.yaml" else None)
    assert openapi_command(["airbyte", f"{project.sim.root_url}/openapi/airbyte.yaml", "--out", str(tmp_path / "apis")]) == 0
    text = (tmp_path / "apis" / "airbyte" / "defs.yaml").read_text()
    assert f"generated from the OpenAPI document {project.sim.root_url}/openapi/airbyte.yaml" in text
    assert openapi_command(["airbyte", str(AIRBYTE), "--out", str(tmp_path / "apis")]) == 1, "an existing file stays"

    # The generated env var names are the API's (AIRBYTE_*); the simulator serves them as datasync's.
    sim_env = project.sim.env()
    monkeypatch.setenv("REST_ASSETS_API_PATH", str(tmp_path / "apis"))
    monkeypatch.setenv("AIRBYTE_BASE_URL", sim_env["DATASYNC_BASE_URL"] + "/v1")
    monkeypatch.setenv("AIRBYTE_TOKEN_URL", sim_env["DATASYNC_TOKEN_URL"])
    monkeypatch.setenv("AIRBYTE_CLIENT_ID", sim_env["DATASYNC_CLIENT_ID"])
    monkeypatch.setenv("AIRBYTE_CLIENT_SECRET", sim_env["DATASYNC_CLIENT_SECRET"])
    defs = project.definitions()
    graph = defs.resolve_asset_graph()
    keys = [AssetKey(["airbyte", name]) for name in ("jobs", "connections", "workspaces")]
    assert graph.get(AssetKey(["airbyte", "users"])).parent_keys == {AssetKey(["airbyte", "organizations"])}

    with DagsterInstance.ephemeral() as instance:  # the simulator has no organizations, users or permissions
        result = materialize(list(defs.assets), resources=defs.resources, instance=instance, selection=keys)
    assert result.success
    for name in ("jobs", "connections", "workspaces"):
        assert project.count("airbyte", name) == project.sim.expected_count("datasync", name) > 0
    connection_pages = [r for r in project.sim.requests if r.api == "datasync" and r.path == "/v1/connections"]
    assert len(connection_pages) == 3 and connection_pages[0].query == {"limit": "100"}, "250 rows by the next link"
    assert any(r.path == "/oauth/token" for r in project.sim.requests), "tokens from the client-credentials flow"
    assert project.query("select count(distinct connection_id) from airbyte.connections") == [(250,)]
    checks = result.get_asset_check_evaluations()
    assert len(checks) == 3 and all(check.passed for check in checks)


def test_dg_scaffold_takes_the_document_and_writes_what_the_plain_command_writes(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "rest_assets", copy / "rest_assets", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", copy / "pyproject.toml")
    env = clean_env()

    scaffolded = dg("scaffold", "defs", "rest_assets.RestApiComponent", "twilio", "--openapi", str(TWILIO),
                    env=env, cwd=copy)
    assert scaffolded.returncode == 0, scaffolded.stderr
    assert openapi_command(["twilio", str(TWILIO), "--out", str(tmp_path / "plain")]) == 0
    written = (copy / "rest_assets" / "defs" / "twilio" / "defs.yaml").read_text()
    assert written == (tmp_path / "plain" / "twilio" / "defs.yaml").read_text()
    checked = dg("check", "yaml", str(copy / "rest_assets" / "defs" / "twilio"), env=env, cwd=copy)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    refused = dg("scaffold", "defs", "rest_assets.RestApiComponent", "nothing", "--openapi", str(tmp_path / "none.json"),
                 env=env, cwd=copy)
    assert refused.returncode != 0 and "none.json: no such file" in refused.stdout + refused.stderr
    assert not (copy / "rest_assets" / "defs" / "nothing" / "defs.yaml").exists()
