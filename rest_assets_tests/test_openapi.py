"""An API's defs.yaml from its OpenAPI document (rest_assets/scaffold/): always a file that loads.

Three real documents (fixtures/openapi/README.md) are compared with the project's own declarations
and synced; small documents written here have the shapes of PokeAPI, Asana, Spotify and Sentry
(keys by name or `gid`, token offsets, lists under any key, parents by what their records carry,
`Link` paging said in words, 1-based indexes); a document with template syntax, YAML syntax and
control characters in every field it lends the file shows that none of it is evaluated; and
`dg scaffold defs ... --openapi` writes what `python -m rest_assets.openapi` writes, or nothing.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from textwrap import dedent
from urllib.parse import urlparse

import dagster as dg
import pytest
import yaml
from dagster import AssetKey, DagsterInstance, materialize
from jinja2.nativetypes import NativeTemplate

from rest_assets.openapi import main as openapi_command
from rest_assets.orchestration.component import RestApiComponent, holds_template
from rest_assets.orchestration.definitions import shared_definitions
from rest_assets.scaffold import OpenApiError, Options, generate, load_document
from rest_assets.scaffold.build import declaration, infer
from rest_assets.scaffold.check import load_error
from rest_assets.scaffold.document import Document
from rest_assets.scaffold.yaml_writer import Template, inert, plain, yaml_string
from rest_assets_sim import Response
from rest_assets_tests.conftest import REPO_ROOT, clean_env
from rest_assets_tests.test_deploy import dg as dg_command

FIXTURES = Path(__file__).parent / "fixtures" / "openapi"
TWILIO = FIXTURES / "twilio_taskrouter_v1.json"
AIRBYTE = FIXTURES / "airbyte_api.yaml"
SLACK = FIXTURES / "slack_web_openapi_v2_without_examples.json"
LINK_PAGINATOR = "header_link_results"


def loaded(text: str) -> RestApiComponent:
    """The component a defs.yaml's text makes, its templates rendered as Dagster renders them."""
    return RestApiComponent.from_attributes_dict(attributes=yaml.safe_load(text)["attributes"])


def generated(document: dict | Path, name: str = "api", **options) -> tuple[str, RestApiComponent]:
    raw = load_document(str(document)) if isinstance(document, Path) else document
    text = generate(raw, name, document.name if isinstance(document, Path) else None, Options.parse(**options))
    return text, loaded(text)


def hand_written(api: str) -> RestApiComponent:
    return loaded((REPO_ROOT / "rest_assets" / "defs" / api / "defs.yaml").read_text())


def full_paths(api: RestApiComponent) -> dict[str, str]:
    """Each resource's path under the host: the base URL's path and the endpoint's."""
    base = urlparse(api.base_url).path.rstrip("/")
    return {name: base + endpoint.path for name, endpoint in api.endpoints.items()}


def paginators(api: RestApiComponent) -> dict[str, dict]:
    found = {}
    for name, endpoint in api.endpoints.items():
        paginator = endpoint.config["endpoint"]["paginator"]
        found[name] = dict(paginator) if isinstance(paginator, dict) else {"type": paginator}
    return found


def rendered(value):
    """The project's own templates in built data, rendered (the document's defaults: no env vars set)."""
    if isinstance(value, Template):
        return NativeTemplate(value).render(env=lambda name, default=None: default)
    if isinstance(value, dict):
        return {k: rendered(v) for k, v in value.items()}
    return [rendered(v) for v in value] if isinstance(value, list) else value


def comments(text: str) -> str:
    """The file's comments as one text, wrapping undone."""
    return " ".join(line.strip().lstrip("#").strip() for line in text.splitlines() if line.strip().startswith("#"))


def assert_comments_name_only_its_resources(text: str, api: RestApiComponent) -> None:
    said = comments(text.split("\ntype:", 1)[1])  # the header names what was not generated
    named = set(re.findall(r"\{resources\.(\w+)\.", said)) | set(re.findall(r"(?:child of|each) (\w+) record", said))
    commented_out = set(re.findall(r"^\s*# - name: (\w+)", text, re.MULTILINE))
    assert named <= set(api.resource_names) | commented_out, named - set(api.resource_names)


# --- three real documents ------------------------------------------------------------------------


@pytest.mark.parametrize("path", [TWILIO, AIRBYTE, SLACK], ids=lambda p: p.stem)
def test_each_document_gives_a_file_that_loads_and_its_comments_are_only_comments(path):
    text, api = generated(path)
    doc = Document(load_document(str(path)))
    built = rendered(plain(declaration(doc, "api", path.name, infer(doc, Options()))))["attributes"]
    assert api.resources == built["resources"] and api.resource_defaults == (built.get("resource_defaults") or {})
    assert api.client == built["client"], "the comments change nothing"
    assert load_error(text, "api") is None
    assert text.startswith("# api: generated from the OpenAPI document " + path.name)
    assert_comments_name_only_its_resources(text, api)


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
    assert ours.endpoints["jobs"].columns["jobId"] == {"data_type": "bigint"}
    assert ours.endpoints["jobs"].columns["duration"] == {"description": "Duration of a sync in ISO_8601 format"}
    assert ours.endpoints["users"].parent == "organizations", "a required query parameter naming a parent's key"
    assert ours.endpoints["users"].config["endpoint"]["params"] == {"organizationId": "{resources.organizations.organizationId}"}
    assert "Incremental candidate: ?updatedAtStart (it takes a date-time) filters on `lastUpdatedAt`" in comments(text)


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
    assert (full_paths(ours)["workers"], full_paths(theirs)["workers"]) == (
        "/v1/Workspaces/{resources.workspaces.sid}/Workers", "/v1/resource/{resources.workspaces.sid}/Workers")
    assert ours.endpoints["workers"].config["endpoint"]["params"] == {"PageSize": 1000}
    # A grandchild: both of its path parameters from its parent's record.
    assert ours.endpoints["task_reservations"].path == (
        "/v1/Workspaces/{resources.tasks.workspace_sid}/Tasks/{resources.tasks.sid}/Reservations")
    assert ours.endpoints["workers"].columns["date_updated"]["data_type"] == "timestamp"
    # Statistics have no key: kept, keyless, with what that means.
    statistics = ours.endpoints["statistics"]
    assert statistics.primary_key == () and statistics.parent == "workspaces"
    assert "No primary key" in text and "no `_deleted_at`" in comments(text)


def test_slack_swagger_2_cursor_pages_and_what_is_left_to_the_user():
    text, ours = generated(SLACK, "slack")
    assert ours.base_url == "https://slack.com/api"
    assert ours.client["auth"] == {"type": "bearer", "token_env": "SLACK_API_TOKEN"}
    assert "Its OAuth2 flow (accessCode) needs a person to authorize" in comments(text)
    assert paginators(ours)["conversations"] == {
        "type": "cursor", "cursor_path": "response_metadata.next_cursor", "cursor_param": "cursor"}
    assert paginators(ours)["files"] == {"type": "page_number", "page_param": "page", "base_page": 1,
                                         "total_path": "paging.pages"}
    assert ours.endpoints["conversations"].config["endpoint"]["data_selector"] == "channels"
    assert {"users", "usergroups", "reminders", "files", "conversations_history"} <= set(ours.resource_names)
    assert ours.endpoints["conversations_history"].primary_key == (), "messages have no key: kept without one"
    assert "GET /conversations.members: its list `members` holds values, not records" in comments(text)


def test_inline_forms_link_header_offset_allof_api_key_a_required_header_and_no_key():
    """A small document (written here, not an API's) for the forms the real ones do not use."""
    document = yaml.safe_load(dedent("""
        openapi: 3.0.3
        info: {title: Inventory, version: "1"}
        servers: [{url: "https://{region}.inventory.test/api", variables: {region: {default: eu}}}]
        components:
          securitySchemes:
            key: {type: apiKey, in: query, name: api_key}
          parameters:
            tenant: {name: X-Tenant, in: header, required: true, schema: {type: string}}
            offset: {name: offset, in: query, schema: {type: integer}}
            limit: {name: limit, in: query, schema: {type: integer, maximum: 100}}
          schemas:
            Named: {type: object, properties: {name: {type: string, description: The item's name.}}}
            Item:
              allOf:
                - $ref: "#/components/schemas/Named"
                - {type: object, properties: {id: {type: integer}, modified: {type: string, format: date-time}}}
            Stock:
              type: object
              properties: {total: {type: integer}, results: {type: array, items: {properties: {sku: {type: string}}}}}
            Pagination:
              type: object
              properties:
                more: {type: boolean}
                total: {type: integer, nullable: true}
            Orders:
              allOf:
                - $ref: "#/components/schemas/Pagination"
                - {type: object, properties: {orders: {type: array, items: {properties: {id: {type: string}}}}}}
            Batches:
              type: object
              properties:
                total_count: {anyOf: [{type: integer}, {type: "null"}]}
                batches: {type: array, items: {properties: {id: {type: string}}}}
        paths:
          /items:
            get:
              parameters:
                - {$ref: "#/components/parameters/tenant"}
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
                - {name: Inventory-Region, in: header, required: true, schema: {type: string}}
                - {name: offset, in: query, schema: {type: integer}}
                - {name: limit, in: query, schema: {type: integer, default: 50}}
              responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Stock"}}}}}
          /orders:
            get:
              parameters:
                - {$ref: "#/components/parameters/offset"}
                - {$ref: "#/components/parameters/limit"}
                - {name: total, in: query, description: "`total` is null unless this is true.", schema: {type: boolean}}
              responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Orders"}}}}}
          /batches:
            get:
              parameters: [{$ref: "#/components/parameters/offset"}, {$ref: "#/components/parameters/limit"}]
              responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Batches"}}}}}
    """))
    text, api = generated(document, "inventory")
    assert api.base_url == "https://eu.inventory.test/api"
    assert api.client["auth"] == {"type": "api_key", "name": "api_key", "location": "query",
                                  "api_key_env": "INVENTORY_API_KEY"}
    assert api.client["headers"] == {"X-Tenant_env": "INVENTORY_X_TENANT", "Inventory-Region_env": "INVENTORY_REGION"}, (
        "a required header: the user's env var, the API's name not said twice")
    assert {"INVENTORY_X_TENANT", "INVENTORY_REGION"} <= set(api.secret_env_vars)
    items = api.endpoints["items"]
    assert items.config["endpoint"]["paginator"] == "header_link"
    assert items.config["endpoint"]["params"] == {"per_page": 1000}
    assert items.columns == {"name": {"description": "The item's name."}, "id": {"data_type": "bigint"},
                             "modified": {"data_type": "timestamp"}}, "allOf: the fields of every part"
    assert "per_page: the document allows up to 5000; 1000 asked for." in comments(text)
    assert "endpoint.incremental: {cursor_path: modified, start_param: modified_since}" in comments(text)
    stock = api.endpoints["stock"]
    assert stock.primary_key == () and stock.config["write_disposition"] == "replace", "kept, keyless: replaced"
    assert paginators(api)["stock"] == {"type": "offset", "limit": 50, "offset_param": "offset", "limit_param": "limit",
                                        "total_path": "total"}
    # A total that may be null is no total to stop by (dlt fails on a null one): a has-more flag, else an empty page.
    assert paginators(api)["orders"] == {"type": "offset", "limit": 100, "offset_param": "offset", "limit_param": "limit",
                                         "total_path": None, "has_more_path": "more"}
    assert "`total` is filled only when asked for (?total: \"`total` is null unless this is true.\")" in comments(text)
    assert paginators(api)["batches"] == {"type": "offset", "limit": 100, "offset_param": "offset",
                                          "limit_param": "limit", "total_path": None}
    assert "`total_count` may be null (the document says so)" in comments(text)


# --- the shapes of PokeAPI, Asana, Spotify and Sentry ------------------------------------------------


def openapi_document(title: str, version: str, server: dict, rest: str) -> dict:
    """A small document written here: its title and server, and the rest as YAML."""
    return {"openapi": version, "info": {"title": title, "version": "1"}, "servers": [server], **yaml.safe_load(dedent(rest))}


POKEAPI = openapi_document("Pokédex", "3.1.0", {"url": "https://pokedex.test"}, """
    components:
      parameters:
        id: {name: id, in: path, required: true, description: This parameter can be a string or an integer.,
             schema: {type: string}}
        limit: {name: limit, in: query, schema: {type: integer}}
        offset: {name: offset, in: query, schema: {type: integer}}
      schemas:
        Named:
          type: object
          required: [name, url]
          properties: {name: {type: string}, url: {type: string, format: uri}}
        Page:
          type: object
          properties:
            count: {type: integer}
            next: {type: string, format: uri, nullable: true}
            results: {type: array, items: {$ref: "#/components/schemas/Named"}}
        Machines:
          type: object
          properties:
            next: {type: string, format: uri, nullable: true}
            results: {type: array, items: {type: object, required: [url], properties: {url: {type: string}}}}
    paths:
      /api/v2/pokemon/:
        get:
          parameters: [{$ref: "#/components/parameters/limit"}, {$ref: "#/components/parameters/offset"}]
          responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Page"}}}}}
      /api/v2/pokemon/{id}/:
        get:
          parameters: [{$ref: "#/components/parameters/id"}]
          responses: {"200": {content: {application/json: {schema: {type: object, properties: {id: {type: integer}}}}}}}
      /api/v2/pokemon/{id}/encounters:
        get:
          parameters: [{$ref: "#/components/parameters/id"}]
          responses:
            "200":
              content:
                application/json:
                  schema:
                    type: array
                    items: {type: object, properties: {location_area: {$ref: "#/components/schemas/Named"}}}
      /api/v2/pokemon/{pokemon_id}/forms:
        get:
          parameters: [{name: pokemon_id, in: path, required: true, schema: {type: string, pattern: '^\\d+$'}}]
          responses:
            "200": {content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Named"}}}}}
      /api/v2/machine/:
        get:
          responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Machines"}}}}}
      /api/v2/machine/{id}/:
        get:
          parameters: [{$ref: "#/components/parameters/id"}]
          responses: {"200": {content: {application/json: {schema: {type: object}}}}}
""")


def test_pokeapi_shape_keys_by_the_field_every_record_carries():
    text, api = generated(POKEAPI, "pokedex")
    assert api.resource_names == ["pokemon", "machine", "encounters"]
    assert api.endpoints["pokemon"].primary_key == ("name",), "the detail path takes a string; records carry name"
    assert api.endpoints["machine"].primary_key == ("url",), "records with nothing but their own URL"
    assert api.endpoints["encounters"].path == "/api/v2/pokemon/{resources.pokemon.name}/encounters"
    assert api.endpoints["encounters"].primary_key == ()
    assert paginators(api)["pokemon"] == {"type": "json_link", "next_url_path": "next"}
    assert "`name` assumed" in comments(text)
    # A parameter of digits is never filled with a name: the child is written commented out, with why.
    assert "# - name: forms" in text and "forms" not in api.resource_names
    assert ("Commented out: {pokemon_id} takes digits (its pattern ^\\d+$), and pokemon's records carry no field "
            "that fits (`name` is text)") in comments(text)


ASANA = openapi_document("Tasks", "3.0.0", {"url": "https://tasks.test/api/1.0"}, """
    components:
      securitySchemes: {personalAccessToken: {type: http, scheme: bearer}}
      parameters:
        limit: {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
        offset:
          name: offset
          in: query
          description: "Offset token. An offset to the next page returned by the API. You can only pass in an offset
            that was returned to you via a previously paginated request."
          schema: {type: string}
      schemas:
        Compact: {type: object, properties: {gid: {type: string, readOnly: true}, name: {type: string}}}
        NextPage:
          type: object
          nullable: true
          properties: {offset: {type: string}, path: {type: string}, uri: {type: string, format: uri}}
        Listing:
          type: object
          properties:
            data: {type: array, items: {$ref: "#/components/schemas/Compact"}}
            next_page: {$ref: "#/components/schemas/NextPage"}
      responses:
        listing: {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Listing"}}}}
        one: {description: ok, content: {application/json: {schema: {type: object, properties: {data: {type: object}}}}}}
        unpaged:  # the same records, paged by the same parameters, without `next_page` in its schema
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {data: {type: array, items: {$ref: "#/components/schemas/Compact"}}}}
""")


def path_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def asana_get(answer: str, *params: dict, tag: str | None = None) -> dict:
    """A GET answering a listing (paged by `limit` and an `offset` token) or one record."""
    paging = [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"}]
    return {"get": {"tags": [tag] if tag else [], "parameters": [*params, *(paging if answer != "one" else [])],
                    "responses": {"200": {"$ref": f"#/components/responses/{answer}"}}}}


ASANA["paths"] = {
    "/workspaces": asana_get("listing", tag="Workspaces"),
    "/workspaces/{workspace_gid}": asana_get("one", path_param("workspace_gid")),
    "/workspaces/{workspace_gid}/projects": asana_get("listing", path_param("workspace_gid"), tag="Projects"),
    "/projects/{project_gid}/tasks": asana_get("listing", path_param("project_gid"), tag="Tasks"),
    "/tasks/{task_gid}": asana_get("one", path_param("task_gid")),
    "/task_templates": asana_get("unpaged"),
}


def test_asana_shape_gid_keys_token_offsets_and_parents_by_what_their_records_are():
    text, api = generated(ASANA, "tasks")
    assert api.resource_names == ["workspaces", "task_templates", "projects", "tasks"]
    assert {e.primary_key for e in api.endpoints.values()} == {("gid",)}
    token = {"type": "cursor", "cursor_path": "next_page.offset", "cursor_param": "offset"}
    assert all(p == token for p in paginators(api).values()), "a string offset the API gives back: a cursor"
    assert "?offset is the parameter GET /workspaces takes, described alike: paged like it" in comments(text)
    assert api.endpoints["projects"].path == "/workspaces/{resources.workspaces.gid}/projects"
    assert api.endpoints["tasks"].path == "/projects/{resources.projects.gid}/tasks", "no /projects listing: by noun"
    assert api.endpoints["tasks"].config["endpoint"]["params"] == {"limit": 100}
    assert "(a token the API gives, not a number)" in comments(text)


SPOTIFY = openapi_document("Music", "3.0.3", {"url": "https://music.test/v1"}, """
    components:
      securitySchemes:
        oauth: {type: oauth2, flows: {authorizationCode: {authorizationUrl: "https://music.test/authorize",
                                                         tokenUrl: "https://music.test/token", scopes: {}}}}
      schemas:
        Playlist: {type: object, properties: {id: {type: string}, name: {type: string}, owner: {$ref: "#/components/schemas/User"}}}
        User: {type: object, properties: {id: {type: string}, display_name: {type: string}}}
        Track: {type: object, properties: {id: {type: string}, name: {type: string}}}
        PlaylistTrack:
          type: object
          properties: {added_at: {type: string, format: date-time}, added_by: {$ref: "#/components/schemas/User"},
                       track: {$ref: "#/components/schemas/Track"}}
        PlaylistPage:
          type: object
          properties:
            href: {type: string}
            items: {type: array, items: {$ref: "#/components/schemas/Playlist"}}
            next: {type: string, nullable: true}
            total: {type: integer}
        TrackPage:
          type: object
          properties:
            items: {type: array, items: {$ref: "#/components/schemas/PlaylistTrack"}}
            next: {type: string, nullable: true}
        Featured: {type: object, properties: {message: {type: string}, playlists: {$ref: "#/components/schemas/PlaylistPage"}}}
        Me: {type: object, properties: {id: {type: string}, images: {type: array, items: {type: object}}}}
        Found: {type: object, properties: {tracks: {$ref: "#/components/schemas/TrackPage"},
                                           playlists: {$ref: "#/components/schemas/PlaylistPage"}}}
        Followed:
          type: object
          properties:
            artists:
              type: object
              properties:
                items: {type: array, items: {$ref: "#/components/schemas/User"}}
                cursors: {type: object, properties: {after: {type: string}}}
      parameters:
        limit: {name: limit, in: query, schema: {type: integer, maximum: 50}}
""")


def answering(schema: str, *params: dict) -> dict:
    """A GET whose success answer is the named component schema."""
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    return {"get": {"parameters": list(params), "responses": {"200": {"content": content}}}}


SPOTIFY["paths"] = {
    "/me/playlists": answering("PlaylistPage", {"$ref": "#/components/parameters/limit"}),
    "/browse/featured-playlists": answering("Featured"),
    "/playlists/{playlist_id}/tracks": answering("TrackPage", path_param("playlist_id")),
    "/me": answering("Me"),
    "/search": answering("Found", {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}),
    "/me/following": answering("Followed", {"name": "type", "in": "query", "required": True,
                                            "schema": {"type": "string", "enum": ["artist"]}}),
}


def test_spotify_shape_lists_under_any_key_children_of_renamed_parents_and_every_skip_said():
    text, api = generated(SPOTIFY, "music")
    assert api.resource_names == ["playlists", "featured_playlists", "following", "tracks"]
    assert api.endpoints["featured_playlists"].config["endpoint"]["data_selector"] == "playlists.items"
    assert paginators(api)["featured_playlists"] == {"type": "json_link", "next_url_path": "playlists.next"}
    assert api.endpoints["following"].config["endpoint"]["params"] == {"type": "artist"}, "the one value allowed"
    # The tracks' parent lists playlists, under another name: its records carry the `id` {playlist_id} names.
    assert api.endpoints["tracks"].parent == "playlists"
    assert api.endpoints["tracks"].path == "/playlists/{resources.playlists.id}/tracks"
    assert api.endpoints["tracks"].primary_key == () and "its key may be that, a column dlt names track__id" in comments(
        text)
    header = comments(text.split("\ntype:", 1)[0])
    assert "GET /search: several lists (tracks.items, playlists.items), none plainly its records" in header
    assert "1 GET answering one object, not a list: /me." in header
    assert api.client["auth"] == {"type": "bearer", "token_env": "MUSIC_API_TOKEN"}
    assert_comments_name_only_its_resources(text, api)


SENTRY = openapi_document("Errors", "3.0.3", {"url": "https://{region}.errors.test",
                                              "variables": {"region": {"default": "us", "enum": ["us", "de"]}}}, """
    components:
      securitySchemes: {auth_token: {type: http, scheme: bearer}, dsn: {type: http, scheme: DSN}}
      parameters:
        cursor:
          name: cursor
          in: query
          description: A pointer to the last object fetched and its sort order; used to retrieve the next or previous results.
          schema: {type: string}
        org: {name: organization_id_or_slug, in: path, required: true, schema: {type: string}}
        project: {name: project_id_or_slug, in: path, required: true, schema: {type: string}}
      schemas:
        Organization: {type: object, properties: {id: {type: string}, slug: {type: string}, name: {type: string}}}
        Project: {type: object, properties: {id: {type: string}, slug: {type: string}}}
        Key: {type: object, properties: {id: {type: string}, label: {type: string}}}
    paths:
      /api/0/organizations/:
        get:
          security: [{auth_token: [org:read]}]
          parameters: [{$ref: "#/components/parameters/cursor"}]
          responses:
            "200": {content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Organization"}}}}}
      /api/0/organizations/{organization_id_or_slug}/:
        get:
          parameters: [{$ref: "#/components/parameters/org"}]
          responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Organization"}}}}}
      /api/0/organizations/{organization_id_or_slug}/projects/:
        get:
          parameters: [{$ref: "#/components/parameters/org"}, {$ref: "#/components/parameters/cursor"}]
          responses:
            "200": {content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Project"}}}}}
      /api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/keys/:
        get:
          parameters: [{$ref: "#/components/parameters/org"}, {$ref: "#/components/parameters/project"},
                       {$ref: "#/components/parameters/cursor"}]
          responses:
            "200": {content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Key"}}}}}
      /api/0/organizations/{organization_id_or_slug}/replays/:
        get:
          parameters:
            - {$ref: "#/components/parameters/org"}
            - {name: cursor, in: query, description: Pages the results., schema: {type: string}}
          responses:
            "200":
              content:
                application/json:
                  schema: {type: object, properties: {data: {type: array, items: {$ref: "#/components/schemas/Key"}}}}
      /api/0/organizations/{organization_id_or_slug}/scim/v2/Users:
        get:
          parameters:
            - {$ref: "#/components/parameters/org"}
            - {name: startIndex, in: query, description: SCIM 1-offset based index for pagination., schema: {type: integer}}
            - {name: count, in: query, schema: {type: integer, default: 100}}
          responses:
            "200":
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      totalResults: {type: integer}
                      startIndex: {type: integer}
                      Resources: {type: array, items: {type: object, properties: {id: {type: string}}}}
""")


def test_sentry_shape_link_paging_said_in_words_grandchildren_and_one_based_indexes():
    text, api = generated(SENTRY, "errors")
    assert api.base_url == "https://us.errors.test"
    assert api.client["auth"] == {"type": "bearer", "token_env": "ERRORS_API_TOKEN"}
    for name in ("organizations", "projects", "keys"):
        assert paginators(api)[name] == {"type": LINK_PAGINATOR}, "a cursor nothing in a bare list fills: Link"
    assert paginators(api)["replays"] == {"type": LINK_PAGINATOR}, "the ?cursor the other listings take in their Link"
    assert "?cursor is the parameter GET /api/0/organizations/ and 2 other listings take, paged in the Link header" in (
        comments(text))
    assert api.endpoints["organizations"].primary_key == ("id",)
    # The grandchild: the organization's slug passed down through the projects' records.
    assert api.endpoints["projects"].config["include_from_parent"] == ["id"]
    assert api.endpoints["keys"].path == (
        "/api/0/projects/{resources.projects._organizations_id}/{resources.projects.id}/keys/")
    assert paginators(api)["users"] == {"type": "offset", "limit": 100, "offset_param": "startIndex",
                                        "limit_param": "count", "offset": 1, "total_path": None}
    assert "?startIndex counts from 1" in comments(text)


FORUM = openapi_document("Forum", "3.1.0", {"url": "https://forum.test"}, """
    components:
      schemas:
        Post: {type: object, properties: {id: {type: integer}, username: {type: string}}}
    paths:
      /posts.json:
        get:
          parameters:
            - {name: before, in: query, description: Load posts with an id lower than this value. Useful for pagination.,
               schema: {type: integer}}
          responses:
            "200":
              content:
                application/json:
                  schema: {type: object, properties: {latest_posts: {type: array, items: {$ref: "#/components/schemas/Post"}}}}
      /posts/{id}.json:
        get:
          parameters: [{name: id, in: path, required: true, schema: {type: string}}]
          responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Post"}}}}}
      /posts/{id}/replies.json:
        get:
          parameters: [{name: id, in: path, required: true, schema: {type: string}}]
          responses: {"200": {content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Post"}}}}}}
      /admin/users.json:
        get:
          parameters: [{name: page, in: query, schema: {type: integer}}]
          responses: {"200": {content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Post"}}}}}}
""")


def test_paths_ending_in_a_format_extension_are_named_and_linked_without_it():
    """`/posts.json`, `/posts/{id}.json`: the extension is no part of a name, and `{id}.json` is a record's own path."""
    text, api = generated(FORUM, "forum")
    assert api.resource_names == ["posts", "users", "replies"]
    assert api.endpoints["replies"].parent == "posts"
    assert api.endpoints["replies"].path == "/posts/{resources.posts.id}/replies.json"
    header = comments(text.split("\ntype:", 1)[0])
    assert "1 GET of one record by its own path" in header
    said = comments(text)
    assert 'Paging not inferred: the document shows before ("Load posts with an id lower than this value.' in said
    assert "1 assumed. Check the API's docs: where it counts from 0, its first page would be skipped" in said


# --- text from the document is inert -------------------------------------------------------------------

SECRET = "canary-6f1d0e"
PAYLOAD = ("{{ env('CANARY_SECRET') }} {% if true %}{{ env('CANARY_SECRET') }}{% endif %} {# c #} "
           "&anchor *alias !!python/object/apply:os.system ['echo'] --- ... \x07\x1b\u2028 {%- endraw %} end")
TRICKY = [PAYLOAD, "{{ x }}", "{% endraw %}{{ y }}", "{%- endraw -%}", "123", "None", "True", "'quoted'", "[1, 2]",
          "{'a': 1}", "a\r\nb\n", "(" * 400, " lead", "trail\n", "\x00\x1b", "\u2028\u0085", "💥 é", "\ud800",
          "#", "- x", ": y", "&a", "*a", "!!str", "---", "...", "<<", "~", "null", "@x", "`x`", "%x", "{x}",
          "{resources.a.b}", "2020-01-01", "0x10", "1e3", "yes"]


@pytest.mark.parametrize("text", TRICKY, ids=range(len(TRICKY)))
def test_inert_text_renders_back_exactly_through_yaml_and_jinja(text):
    written = yaml_string(inert(text))
    assert "\n" not in written
    read = yaml.safe_load(f"value: {written}")["value"]
    render = lambda value: NativeTemplate(value).render(env=lambda *_: SECRET) if value else value  # noqa: E731
    assert render(read) == text, "as Dagster renders a component's own fields"
    assert (render(read) if holds_template(read) else read) == text, "as the project renders dlt's config"


def poisoned_document() -> dict:
    """A document with template syntax, YAML syntax and control characters in every field the file copies."""
    p = PAYLOAD
    listing = {"type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
                                                "next_cursor": {"type": "string", "description": p}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": p, "description": p, "version": p},
        "servers": [{"url": "https://api.test/{{env('CANARY_SECRET')}}/{%raw%}", "description": p}],
        "components": {
            "securitySchemes": {p: {"type": "apiKey", "in": "header", "name": p, "description": p}},
            "schemas": {"Item": {"type": "object", "description": p, "properties": {
                "id": {"type": "string", "description": p, "example": p},
                p: {"type": "string", "description": p, "enum": [p]},
                "updated": {"type": "string", "format": "date-time", "description": p},
                "rank": {"type": "string", "description": "123"}}}}},
        "paths": {
            "/items": {"get": {"summary": p, "description": p, "tags": [p], "parameters": [
                {"name": "cursor", "in": "query", "description": p, "schema": {"type": "string"}},
                {"name": "kind", "in": "query", "required": True, "description": p,
                 "schema": {"type": "string", "enum": [p, f"plain {p[-3:]}"]}},
                {"name": p, "in": "query", "description": p, "schema": {"type": "string", "enum": [p]}},
                {"name": "updated_since", "in": "query", "description": p,
                 "schema": {"type": "string", "format": "date-time"}}],
                "responses": {"200": {"description": p, "content": {"application/json": {"schema": listing}}}}}},
            "/items/{id}": {"get": {"summary": p, "parameters": [{"name": "id", "in": "path", "required": True}],
                                    "responses": {"200": {"description": p}}}},
            "/under": {"get": {"summary": p, "responses": {"200": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {p: {"type": "array", "items": {"type": "object"}}}}}}}}}},
            "/other{{ env('CANARY_SECRET') }}": {"get": {"summary": p, "responses": {"200": {"content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}}},
        },
    }


def test_nothing_the_document_says_is_evaluated_and_the_secret_never_appears(monkeypatch, tmp_path):
    monkeypatch.setenv("CANARY_SECRET", SECRET)
    text, api = generated(poisoned_document(), "poison")
    assert SECRET not in text and load_error(text, "poison") is None
    assert api.resource_names == ["items"]
    item = api.endpoints["items"]
    assert item.primary_key == ("id",) and paginators(api)["items"] == {
        "type": "cursor", "cursor_path": "next_cursor", "cursor_param": "cursor"}
    assert item.config["endpoint"]["params"] == {"kind": "plain end"}, "the first allowed value dlt takes as it is"
    assert api.base_url == "https://api.test/{{env('CANARY_SECRET')}}/{%raw%}"
    assert api.client["auth"]["name"] == PAYLOAD
    visible = " ".join(PAYLOAD.replace("\x07\x1b", "").split())  # on one line, control characters dropped
    assert api.description.startswith(visible) and item.columns["id"]["description"] == visible, "as written"
    assert item.columns[PAYLOAD]["description"] == visible
    assert item.columns["rank"]["description"] == "123", "text that reads as a number stays text"
    said = comments(text)
    assert "GET /under: its list sits under `" in said and "GET /other{{ env('CANARY_SECRET') }}: its path holds" in said
    defs = shared_definitions(dg.build_defs_for_component(api))
    specs = [spec for assets_def in defs.assets for spec in assets_def.specs]
    shown = repr([(s.key, s.description, s.metadata, s.tags, s.group_name) for s in specs])
    assert "dagster/column_schema" in shown and SECRET not in shown and SECRET not in repr(api.dlt_config)
    # And as a folder of APIs, loaded with the project's definitions.
    folder = tmp_path / "apis" / "poison"
    folder.mkdir(parents=True)
    (folder / "defs.yaml").write_text(text)
    monkeypatch.setenv("REST_ASSETS_API_PATH", str(tmp_path / "apis"))
    from rest_assets.orchestration.loading import all_definitions

    node = all_definitions().resolve_asset_graph().get(AssetKey(["poison", "items"]))
    assert SECRET not in repr((node.description, node.metadata)) and visible in repr(node.metadata)


# --- options, and a file that loads whatever happens ----------------------------------------------------


def test_options_name_keys_choose_endpoints_and_paginators():
    _, api = generated(ASANA, "tasks", primary_key=["tasks=name+gid"], include=["tag:Tasks"], exclude=["/task_*"],
                       paginator=['projects={"type": "header_link"}'])
    assert api.resource_names == ["workspaces", "projects", "tasks"], "an included child brings its parents"
    assert api.endpoints["tasks"].primary_key == ("name", "gid")
    assert paginators(api)["projects"] == {"type": "header_link"}
    text, api = generated(ASANA, "tasks", exclude=["/workspaces/*/projects", "/task_templates"])
    assert api.resource_names == ["workspaces"], "an excluded parent takes its children"
    assert "GET /workspaces/{workspace_gid}/projects: excluded (--exclude)" in comments(text)
    _, api = generated(SENTRY, "errors", paginator=["header_link"], primary_key=["slug"])
    assert paginators(api)["organizations"] == {"type": LINK_PAGINATOR}, "inferred paging stays"
    assert api.endpoints["organizations"].primary_key == ("slug",)
    with pytest.raises(OpenApiError, match="the options name taskz, not a resource of this document"):
        generated(ASANA, "tasks", primary_key=["taskz=gid"])


def test_a_resource_that_would_not_load_is_commented_out_with_why_and_the_rest_loads():
    text, api = generated(ASANA, "tasks", paginator=['projects={"type": "no_such_paginator"}'])
    assert api.resource_names == ["workspaces", "task_templates"] and load_error(text, "tasks") is None
    assert "# - name: projects" in text and "# - name: tasks" in text
    assert "Commented out: the file did not load with it" in comments(text) and "no_such_paginator" in comments(text)
    assert "Commented out with its parent projects." in comments(text)


def test_a_document_without_a_listing_still_gives_a_file_that_loads():
    document = {"swagger": "2.0", "info": {"title": "Status"}, "host": "status.test",
                "paths": {"/status": {"get": {"responses": {"200": {"schema": {"type": "object"}}}}}}}
    text, api = generated(document, "status")
    assert api.resource_names == ["items"] and "A placeholder" in comments(text)
    assert api.base_url == "https://status.test"


# --- syncs --------------------------------------------------------------------------------------------


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

    sim_env = project.sim.env()
    monkeypatch.setenv("REST_ASSETS_API_PATH", str(tmp_path / "apis"))
    monkeypatch.setenv("AIRBYTE_BASE_URL", sim_env["DATASYNC_BASE_URL"] + "/v1")
    monkeypatch.setenv("AIRBYTE_TOKEN_URL", sim_env["DATASYNC_TOKEN_URL"])
    monkeypatch.setenv("AIRBYTE_CLIENT_ID", sim_env["DATASYNC_CLIENT_ID"])
    monkeypatch.setenv("AIRBYTE_CLIENT_SECRET", sim_env["DATASYNC_CLIENT_SECRET"])
    defs = project.definitions()
    keys = [AssetKey(["airbyte", name]) for name in ("jobs", "connections", "workspaces")]
    assert defs.resolve_asset_graph().get(AssetKey(["airbyte", "users"])).parent_keys == {
        AssetKey(["airbyte", "organizations"])}
    with DagsterInstance.ephemeral() as instance:
        result = materialize(list(defs.assets), resources=defs.resources, instance=instance, selection=keys)
    assert result.success
    for name in ("jobs", "connections", "workspaces"):
        assert project.count("airbyte", name) == project.sim.expected_count("datasync", name) > 0
    connection_pages = [r for r in project.sim.requests if r.api == "datasync" and r.path == "/v1/connections"]
    assert len(connection_pages) == 3 and connection_pages[0].query == {"limit": "100"}, "250 rows by the next link"


class LinkPagedErrors:
    """Organizations and their projects, paged two at a time by Sentry's `Link` headers (`results="false"` at the end)."""

    def __init__(self, root_url: str) -> None:
        self.root = f"{root_url}/errors"
        self.rows = {"/api/0/organizations/": [{"id": str(i), "slug": f"org-{i}", "name": f"Org {i}"} for i in (1, 2, 3)]}
        for org in self.rows["/api/0/organizations/"]:
            self.rows[f"/api/0/organizations/{org['id']}/projects/"] = [
                {"id": f"{org['id']}-{j}", "slug": f"p{j}"} for j in (1, 2, 3)]

    def __call__(self, ctx) -> Response | None:
        if not ctx.path.startswith("/errors/"):
            return None
        path = ctx.path.removeprefix("/errors")
        if path not in self.rows or ctx.headers.get("Authorization") != "Bearer errors-token":
            return Response(404 if path not in self.rows else 401, {"detail": "no"})
        start = int(ctx.query.get("cursor", "0:0:0").split(":")[1])
        page, more = self.rows[path][start:start + 2], start + 2 < len(self.rows[path])
        link = (f'<{self.root}{path}?cursor=0:{max(start - 2, 0)}:1>; rel="previous"; results="{str(start > 0).lower()}"; '
                f'cursor="0:{max(start - 2, 0)}:1", <{self.root}{path}?cursor=0:{start + 2}:0>; rel="next"; '
                f'results="{str(more).lower()}"; cursor="0:{start + 2}:0"')
        return Response(200, json.dumps(page), {"Content-Type": "application/json", "Link": link})


def test_link_header_paging_said_in_words_loads_every_page(make_project, tmp_path, monkeypatch):
    project = make_project(default_rows=1)
    served = LinkPagedErrors(project.sim.root_url)
    project.sim.hooks.append(served)
    document = json.loads(json.dumps(SENTRY))
    del document["paths"]["/api/0/organizations/{organization_id_or_slug}/scim/v2/Users"]
    folder = tmp_path / "apis" / "errors"
    folder.mkdir(parents=True)
    (folder / "defs.yaml").write_text(generate(document, "errors"))
    monkeypatch.setenv("REST_ASSETS_API_PATH", str(tmp_path / "apis"))
    monkeypatch.setenv("ERRORS_BASE_URL", served.root)
    monkeypatch.setenv("ERRORS_API_TOKEN", "errors-token")
    defs = project.definitions()
    keys = [AssetKey(["errors", "organizations"]), AssetKey(["errors", "projects"])]
    with DagsterInstance.ephemeral() as instance:
        result = materialize(list(defs.assets), resources=defs.resources, instance=instance, selection=keys)
    assert result.success
    assert project.count("errors", "organizations") == 3 and project.count("errors", "projects") == 9
    pages = [r for r in project.sim.requests if r.path.startswith("/errors/api/0/organizations/")]
    assert len(pages) == 2 + 3 * 2, "two pages each, and no request past a results=\"false\" link"


# --- the dg form ----------------------------------------------------------------------------------------


def dg_project(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "rest_assets", copy / "rest_assets", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_dg_scaffold_takes_the_document_and_options_and_writes_what_the_plain_command_writes(tmp_path):
    copy = dg_project(tmp_path)
    scaffolded = dg_command("scaffold", "defs", "rest_assets.RestApiComponent", "twilio", "--openapi", str(TWILIO),
                            "--exclude", "/v1/Workspaces/*/Statistics,/v1/Workspaces/*/CumulativeStatistics",
                            env=clean_env(), cwd=copy)
    assert scaffolded.returncode == 0, scaffolded.stderr
    assert openapi_command(["twilio", str(TWILIO), "--out", str(tmp_path / "plain"), "--exclude",
                            "/v1/Workspaces/*/Statistics", "--exclude", "/v1/Workspaces/*/CumulativeStatistics"]) == 0
    written = (copy / "rest_assets" / "defs" / "twilio" / "defs.yaml").read_text()
    assert written == (tmp_path / "plain" / "twilio" / "defs.yaml").read_text()
    assert "excluded (--exclude)" in written and "name: statistics" not in written


def test_dg_scaffold_that_fails_says_why_in_one_line_and_leaves_nothing(tmp_path):
    copy = dg_project(tmp_path)
    refused = dg_command("scaffold", "defs", "rest_assets.RestApiComponent", "nothing", "--openapi",
                         str(tmp_path / "none.json"), env=clean_env(), cwd=copy)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "none.json: no such file" in output
    assert "Traceback" not in output and len([line for line in output.splitlines() if "Error" in line]) == 1
    assert not (copy / "rest_assets" / "defs" / "nothing").exists(), "a retry finds no folder in its way"
