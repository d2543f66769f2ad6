"""The generator on a corpus of eleven real public OpenAPI documents (fixtures/openapi/README.md).

Each document goes through the generator's own command once per module: the two largest as a user
runs it, `python -m rest_assets.openapi` in a process of their own, while the others go through
the command's `main` with the same arguments in this process (Dagster imported once, not nine times). For each, what the document makes certain is asserted: how many resources at least, the
primary keys, the lineage edges (child path -> parent path), the paginators, the auth. `dg check
yaml` (given every file's path) and one `dg check defs` accept every generated file. Four documents
(PokéAPI, Sentry, Asana, Spotify) sync end to end against simulator routes shaped like them
(rest_assets_sim/public_apis.py, rest_assets_sim/openapi_shaped.py): every row of every page lands
in DuckDB, and children are read under every parent record.

Resources are found by their document path, not by the names the generator gives them.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster import AssetKey, DagsterInstance, materialize

from rest_assets.openapi import main as openapi_command
from rest_assets.orchestration.component import RestApiComponent
from rest_assets_sim.openapi_shaped import Asana, Sentry, ShapedApi, Spotify
from rest_assets_sim.public_apis import PokeApi
from rest_assets_tests.conftest import REPO_ROOT, clean_env
from rest_assets_tests.test_deploy import dg

FIXTURES = Path(__file__).parent / "fixtures" / "openapi"
PLACEHOLDER = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class Document:
    """A corpus document and what a generated file must make of it (paths as in the document)."""

    name: str  # the API's name given to the generator
    file: str
    min_resources: int
    keys: dict[str, str | tuple[str, ...]]  # path -> the primary key (or the keys any one of which is right)
    edges: dict[str, tuple[str, ...]]  # child path -> the paths any one of which is a right parent
    paginators: dict[str, tuple[dict, ...]]  # path -> the paginators (config subsets) any one of which is right
    auth: dict  # a subset of the client's auth
    data_selectors: dict[str, str] = field(default_factory=dict)
    commented_out: tuple[str, ...] = ()  # paths written commented out, with why (no resource reads them)


def link(next_url_path: str) -> dict:
    return {"type": "json_link", "next_url_path": next_url_path}


def offset(**more: Any) -> dict:
    """dlt's offset paginator on ?offset and ?limit, with more of its fields (None: absent)."""
    return {"type": "offset", "offset_param": "offset", "limit_param": "limit", **more}


CORPUS = [
    Document("twilio", "twilio_taskrouter_v1.json", 10,
             keys={"/v1/Workspaces": "sid", "/v1/Workspaces/{}/Workers": "sid", "/v1/Workspaces/{}/Tasks": "sid"},
             edges={"/v1/Workspaces/{}/Workers": ("/v1/Workspaces",), "/v1/Workspaces/{}/Tasks": ("/v1/Workspaces",)},
             paginators={"/v1/Workspaces": (link("meta.next_page_url"),)},
             auth={"type": "http_basic"}, data_selectors={"/v1/Workspaces/{}/Workers": "workers"}),
    Document("airbyte", "airbyte_api.yaml", 6,
             keys={"/jobs": "jobId", "/connections": "connectionId", "/workspaces": "workspaceId"},
             edges={"/users": ("/organizations",)},
             paginators={"/jobs": (link("next"), offset()), "/connections": (link("next"), offset())},
             auth={"type": "oauth2_client_credentials"}, data_selectors={"/jobs": "data"}),
    Document("slack", "slack_web_openapi_v2_without_examples.json", 8,
             keys={"/conversations.list": "id", "/users.list": "id", "/usergroups.list": "id"},
             edges={},
             paginators={"/conversations.list": ({"type": "cursor", "cursor_path": "response_metadata.next_cursor",
                                                  "cursor_param": "cursor"},),
                         "/files.list": ({"type": "page_number", "page_param": "page", "total_path": "paging.pages"},)},
             auth={"type": "bearer"}, data_selectors={"/conversations.list": "channels"}),
    Document("pokeapi", "pokeapi.yml", 45,
             keys={"/api/v2/pokemon/": "name", "/api/v2/berry/": "name", "/api/v2/location/": "name"},
             edges={},
             paginators={"/api/v2/pokemon/": (link("next"), offset(total_path="count"))},
             auth={}, data_selectors={"/api/v2/pokemon/": "results"},
             # {pokemon_id} takes digits; the pokemon's records carry only `name` and `url`.
             commented_out=("/api/v2/pokemon/{}/encounters",)),
    Document("asana", "asana_oas.yaml.gz", 30,
             keys={"/workspaces": "gid", "/workspaces/{}/projects": "gid", "/projects/{}/tasks": "gid",
                   "/workspaces/{}/users": "gid"},
             edges={"/workspaces/{}/projects": ("/workspaces",),
                    "/projects/{}/tasks": ("/workspaces/{}/projects", "/projects", "/teams/{}/projects")},
             paginators={"/workspaces": ({"type": "cursor", "cursor_path": "next_page.offset", "cursor_param": "offset"},
                                         link("next_page.uri"))},
             auth={"type": "bearer"}, data_selectors={"/workspaces": "data"}),
    Document("spotify", "spotify_web_api.yml", 12,
             keys={"/me/playlists": "id", "/me/following": "id", "/artists/{}/albums": "id", "/albums/{}/tracks": "id",
                   "/browse/categories": "id"},
             edges={"/artists/{}/albums": ("/me/following",),
                    "/albums/{}/tracks": ("/artists/{}/albums", "/browse/new-releases")},
             paginators={"/me/playlists": (link("next"), offset(total_path="total")),
                         "/browse/categories": (link("categories.next"), offset(total_path="categories.total")),
                         "/me/following": (link("artists.next"), {"type": "cursor", "cursor_path": "artists.cursors.after",
                                                                   "cursor_param": "after"})},
             auth={"type": "bearer"},
             data_selectors={"/me/playlists": "items", "/me/following": "artists.items",
                             "/browse/categories": "categories.items"}),
    Document("sentry", "sentry_openapi_derefed.json.gz", 20,
             keys={"/api/0/organizations/": "id", "/api/0/organizations/{}/projects/": "id",
                   "/api/0/organizations/{}/teams/": "id", "/api/0/organizations/{}/scim/v2/Users": "id"},
             edges={"/api/0/organizations/{}/projects/": ("/api/0/organizations/",),
                    "/api/0/organizations/{}/teams/": ("/api/0/organizations/",),
                    "/api/0/organizations/{}/scim/v2/Users": ("/api/0/organizations/",)},
             paginators={"/api/0/organizations/{}/scim/v2/Users": (
                 {"type": "offset", "offset_param": "startIndex", "limit_param": "count", "offset": 1},),
                 "/api/0/organizations/{}/projects/": ({"type": "header_link_results"},),
                 # `{"data": [...]}` and a ?cursor described otherwise: the Link header, like every other listing.
                 "/api/0/organizations/{}/replays/": ({"type": "header_link_results"},)},
             auth={"type": "bearer"}, data_selectors={"/api/0/organizations/{}/scim/v2/Users": "Resources"}),
    Document("pagerduty", "pagerduty_openapiv3.json.gz", 40,
             keys={"/incidents": "id", "/users": "id", "/services": "id", "/incidents/{}/alerts": "id"},
             edges={"/incidents/{}/alerts": ("/incidents",), "/incidents/{}/notes": ("/incidents",)},
             # `total` is null unless ?total=true is sent: dlt fails on a null total, so `more` alone.
             paginators={"/incidents": (offset(has_more_path="more", total_path=None),),
                         "/users": (offset(has_more_path="more", total_path=None),)},
             auth={"type": "api_key", "name": "Authorization", "location": "header"},
             data_selectors={"/incidents": "incidents", "/users": "users"}),
    Document("box", "box_openapi.json.gz", 20,
             keys={"/users": "id", "/groups": "id", "/groups/{}/memberships": "id"},
             edges={"/groups/{}/memberships": ("/groups",)},
             paginators={"/users": (offset(total_path="total_count"),
                                    {"type": "cursor", "cursor_path": "next_marker", "cursor_param": "marker"})},
             auth={"type": "bearer"}, data_selectors={"/users": "entries"}),
    Document("xero", "xero_projects.yaml", 4,
             keys={"/Projects": "projectId", "/Projects/{}/Tasks": "taskId", "/Projects/{}/Time": "timeEntryId",
                   "/ProjectsUsers": "userId"},
             edges={"/Projects/{}/Tasks": ("/Projects",), "/Projects/{}/Time": ("/Projects",)},
             paginators={"/Projects": ({"type": "page_number", "page_param": "page", "base_page": 1,
                                        "total_path": "pagination.pageCount"},)},
             auth={"type": "bearer"}, data_selectors={"/Projects": "items"}),
    Document("harbor", "harbor_swagger.yaml", 20,
             keys={"/projects": ("project_id", "name"), "/projects/{}/repositories": ("id", "name"),
                   "/users": "user_id"},
             edges={"/projects/{}/repositories": ("/projects",)},
             paginators={"/projects": ({"type": "header_link"}, {"type": "page_number", "page_param": "page"})},
             auth={"type": "http_basic"}),
]
BY_NAME = {document.name: document for document in CORPUS}


@dataclass
class Generated:
    document: Document
    source: Path  # the document as the generator read it (decompressed)
    folder: Path  # <apis>/<name>, holding defs.yaml
    output: str  # what the command printed

    @property
    def text(self) -> str:
        return (self.folder / "defs.yaml").read_text()

    @cached_property
    def api(self) -> RestApiComponent:
        return RestApiComponent.from_attributes_dict(attributes=yaml.safe_load(self.text)["attributes"])

    def resource(self, document_path: str) -> str:
        """The name of the resource (uncommented) that reads a document path (`{}` for each parameter)."""
        found = self.resources_reading(document_path)
        assert found, f"{self.document.name}: no resource reads {document_path} ({sorted(self.api.resource_names)})"
        return found[0]

    def resources_reading(self, document_path: str) -> list[str]:
        api = self.api
        base = api.base_url.split("//", 1)[-1].partition("/")[2].rstrip("/")
        wanted = _shape(document_path)
        return [name for name, endpoint in api.endpoints.items()
                if _shape(endpoint.path) in (wanted, _shape(f"/{base}{document_path}") if base else wanted)]


def _shape(path: str) -> str:
    return PLACEHOLDER.sub("{}", path).rstrip("/")


def _document_source(file: str, folder: Path) -> Path:
    """The document as a plain file: gzipped ones decompressed into `folder`."""
    path = FIXTURES / file
    if path.suffix != ".gz":
        return path
    plain = folder / path.stem
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    return plain


IN_THEIR_OWN_PROCESSES = ("pagerduty", "asana")  # generated by `python -m rest_assets.openapi`, as a user runs it


def _arguments(document: Document, source: Path, apis: Path) -> list[str]:
    return [document.name, str(source), "--out", str(apis)]


def _generate(document: Document, source: Path, apis: Path) -> Generated:
    """The command's `main`, in this process: what it prints kept as the command would print it."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        openapi_command(_arguments(document, source, apis))
    return Generated(document, source, apis / document.name, printed.getvalue())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Generated]:
    """Every document through the generator's command: two in processes of their own while the others go in this one."""
    root = tmp_path_factory.mktemp("openapi_corpus")
    (root / "documents").mkdir()
    sources = {d.name: _document_source(d.file, root / "documents") for d in CORPUS}
    processes = {name: subprocess.Popen(
        [sys.executable, "-m", "rest_assets.openapi", *_arguments(BY_NAME[name], sources[name], root / "apis")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO_ROOT, env=clean_env())
        for name in IN_THEIR_OWN_PROCESSES}
    generated = {d.name: _generate(d, sources[d.name], root / "apis") for d in CORPUS if d.name not in processes}
    for name, process in processes.items():
        output, _ = process.communicate(timeout=300)
        generated[name] = Generated(BY_NAME[name], sources[name], root / "apis" / name, output)
    return generated


def paginator(generated: Generated, resource: str) -> dict:
    config = generated.api.endpoints[resource].config["endpoint"].get("paginator") or {}
    return {"type": config} if isinstance(config, str) else dict(config)


@pytest.mark.parametrize("name", [document.name for document in CORPUS])
def test_each_document_gives_a_file_with_its_keys_lineage_paginators_and_auth(corpus, name):
    generated = corpus[name]
    document = generated.document
    assert (generated.folder / "defs.yaml").is_file(), f"no file written for {document.file}:\n{generated.output}"
    api = generated.api
    assert len(api.resource_names) >= document.min_resources, sorted(api.resource_names)
    for path, key in document.keys.items():
        found = api.endpoints[generated.resource(path)].primary_key
        assert found[:1] in [(k,) for k in ((key,) if isinstance(key, str) else key)], f"{path}: key {found}"
    for child, parents in document.edges.items():
        parent = api.endpoints[generated.resource(child)].parent
        assert parent is not None and _shape(api.endpoints[parent].path).endswith(
            tuple(_shape(p) for p in parents)), f"{child}: parent {parent}, expected one reading {parents}"
    for path, expected in document.paginators.items():
        found = paginator(generated, generated.resource(path))
        assert any(all(found.get(k) == v for k, v in right.items()) for right in expected), (
            f"{path}: {found}, expected one of {expected} (None: absent)")
    for path, selector in document.data_selectors.items():
        assert api.endpoints[generated.resource(path)].config["endpoint"].get("data_selector") == selector, path
    auth = dict(api.client.get("auth") or {})
    assert auth.items() >= document.auth.items() and bool(auth) == bool(document.auth), auth
    for path in document.commented_out:
        assert not generated.resources_reading(path), f"{path} is read"
        written = re.compile(r"#\s+path: \S*" + re.escape(path).replace(r"\{\}", r"\{[^}]*\}"))
        assert written.search(generated.text) and "# Commented out: " in generated.text, f"{path}: not written out"


def test_dg_check_yaml_and_dg_check_defs_accept_every_generated_file(corpus, tmp_path):
    """In a copy of the project, each generated API in its own folder under rest_assets/defs/."""
    copy = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "rest_assets", copy / "rest_assets", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", copy / "pyproject.toml")
    folders = []
    for generated in corpus.values():
        folders.append(copy / "rest_assets" / "defs" / generated.document.name)
        shutil.copytree(generated.folder, folders[-1])
    env = clean_env()

    checked = dg("check", "yaml", *map(str, folders), env=env, cwd=copy)
    assert checked.returncode == 0, checked.stdout[-5000:] + checked.stderr[-5000:]
    # A broken file among them is found: the check reads every path it is given.
    broken = folders[-1] / "defs.yaml"
    broken.write_text(broken.read_text().replace("resources:", "resources: [", 1))
    assert dg("check", "yaml", *map(str, folders), env=env, cwd=copy).returncode != 0
    shutil.copy(corpus[CORPUS[-1].name].folder / "defs.yaml", broken)

    checked = dg("check", "defs", env=env, cwd=copy)
    assert checked.returncode == 0 and "All definitions loaded successfully" in checked.stdout + checked.stderr, (
        checked.stdout[-5000:] + checked.stderr[-5000:])


# --- end to end against routes shaped like the documents ---------------------------------------------


def base_url_variable(generated: Generated) -> str:
    """The env var the generated base URL reads (`{{ env('SENTRY_BASE_URL', ...) }}`)."""
    found = re.search(r"base_url: .*env\('([A-Z0-9_]+)'", generated.text)
    assert found, "the base URL is not overridable from the environment"
    return found.group(1)


def sync(project, monkeypatch, tmp_path, generated: Generated, base_url: str, token: str | None,
         resources: list[str]):
    """The generated API alone on REST_ASSETS_API_PATH, pointed at the simulator; its resources materialized."""
    apis = tmp_path / "apis"
    shutil.copytree(generated.folder, apis / generated.document.name)
    monkeypatch.setenv("REST_ASSETS_API_PATH", str(apis))
    monkeypatch.setenv(base_url_variable(generated), base_url)
    secrets = generated.api.secret_env_vars
    assert len(secrets) == (1 if token else 0), secrets
    for variable in secrets:
        monkeypatch.setenv(variable, token)
    defs = project.definitions()
    keys = [AssetKey([generated.document.name, name]) for name in resources]
    with DagsterInstance.ephemeral() as instance:
        result = materialize(list(defs.assets), resources=defs.resources, instance=instance, selection=keys,
                             raise_on_error=False)
    failures = [event.event_specific_data.error.to_string() for event in result.get_step_failure_events()]
    assert result.success, "\n".join(failures)
    return defs.resolve_asset_graph()


def assert_landed(project, generated: Generated, hook: ShapedApi, listings: dict[str, str]) -> None:
    """Every record of each listing (the hook's name -> the resource reading it) landed, once."""
    for listing, resource in listings.items():
        key = hook.listings[listing].key_fields[0]
        column = RestApiComponent.column_name(key)
        landed = sorted(map(str, project.keys(generated.document.name, generated.api.table_name(resource), column)))
        assert landed == sorted(str(row[key]) for row in hook.rows(listing)), f"{listing} ({resource})"


def reading(generated: Generated, **paths: str) -> dict[str, str]:
    """The hook's listing names -> the resources of the generated file that read their document paths."""
    return {listing: generated.resource(path) for listing, path in paths.items()}


def read_under(generated: Generated, listings: dict[str, str], child: str) -> str:
    """The hook's listing that the generated file reads `child` under (its parent resource's listing)."""
    parent = generated.api.endpoints[listings[child]].parent
    served = [listing for listing, resource in listings.items() if resource == parent]
    assert served, f"{child} is read under {parent}, which the routes do not serve"
    return served[0]


def sync_every_listing(project, monkeypatch, tmp_path, generated: Generated, hook: ShapedApi,
                       listings: dict[str, str], edges: list[tuple[str, str]]) -> None:
    """The hook serving, the resources of `listings` materialized: every record landed, each (child, parent)
    is an asset edge, and the routes refused nothing."""
    project.sim.hooks.append(hook)
    graph = sync(project, monkeypatch, tmp_path, generated, hook.base_url, hook.token, list(listings.values()))
    assert_landed(project, generated, hook, listings)
    api = generated.document.name
    for child, parent in edges:
        assert graph.get(AssetKey([api, listings[child]])).parent_keys == {AssetKey([api, listings[parent]])}
    refused = [r for r in project.sim.requests if r.path.startswith(hook.prefix) and r.status != 200]
    assert not refused, refused


def test_pokeapi_syncs_every_page_of_its_offset_listings(corpus, make_project, monkeypatch, tmp_path):
    project = make_project()
    generated = corpus["pokeapi"]
    sizes = {"pokemon": 2345, "berry": 64, "location": 1100}
    pokeapi = PokeApi(project.sim.root_url, sizes)
    project.sim.hooks.append(pokeapi)
    resources = [generated.resource(f"/api/v2/{name}/") for name in sizes]
    sync(project, monkeypatch, tmp_path, generated, pokeapi.root_url + "/pokeapi", None, resources)
    for (name, size), resource in zip(sizes.items(), resources):
        landed = project.keys("pokeapi", generated.api.table_name(resource), "name")
        assert sorted(landed) == sorted(PokeApi.name(name, i) for i in range(size)), name
    pages = [r for r in project.sim.requests if r.path.startswith("/pokeapi/api/v2/pokemon")]
    assert len(pages) > 2 and all(r.status == 200 for r in pages), "every page of 2,345 read, none refused"


def test_sentry_syncs_link_header_cursors_and_scim_from_index_one(corpus, make_project, monkeypatch, tmp_path):
    """Link headers whose last page still names a next page (`results="false"`); SCIM's 1-based index with
    a last page of one record (startIndex = totalResults); a grandchild whose path takes two keys, the
    organization's and the project's."""
    project = make_project()
    generated = corpus["sentry"]
    organization = "/api/0/organizations/{}"
    listings = reading(generated, organizations="/api/0/organizations/", projects=organization + "/projects/",
                       teams=organization + "/teams/", scim_users=organization + "/scim/v2/Users",
                       project_keys="/api/0/projects/{}/{}/keys/")
    sync_every_listing(project, monkeypatch, tmp_path, generated, Sentry(project.sim.root_url), listings,
                       [("projects", "organizations"), ("teams", "organizations"), ("scim_users", "organizations"),
                        ("project_keys", "projects")])


def test_asana_syncs_opaque_offset_tokens_under_parents(corpus, make_project, monkeypatch, tmp_path):
    """Workspaces -> their projects (two pages); projects (the workspaces' or all of them, whichever the
    file reads tasks under) -> their tasks (up to three pages): `limit` sent, the `next_page.offset` token
    passed back as it came."""
    project = make_project()
    generated = corpus["asana"]
    listings = reading(generated, workspaces="/workspaces", projects="/workspaces/{}/projects",
                       all_projects="/projects", tasks="/projects/{}/tasks")
    projects = read_under(generated, listings, "tasks")
    asana = Asana(project.sim.root_url, tasks_under=projects)
    sync_every_listing(project, monkeypatch, tmp_path, generated, asana, listings,
                       [("projects", "workspaces"), ("tasks", projects)])
    assert len(asana.rows("tasks")) == 1720


def test_spotify_syncs_nested_lists_cursors_and_lineage(corpus, make_project, monkeypatch, tmp_path):
    """Followed artists (`artists.items`, an `after` cursor) -> their albums; albums (the artists' or the
    new releases, whichever the file reads them under) -> their tracks; the user's playlists (`items`,
    `next`); browse categories (`categories.items`)."""
    project = make_project()
    generated = corpus["spotify"]
    listings = reading(generated, followed_artists="/me/following", artist_albums="/artists/{}/albums",
                       new_releases="/browse/new-releases", album_tracks="/albums/{}/tracks",
                       playlists="/me/playlists", categories="/browse/categories")
    albums = read_under(generated, listings, "album_tracks")
    spotify = Spotify(project.sim.root_url, tracks_under=albums)
    sync_every_listing(project, monkeypatch, tmp_path, generated, spotify, listings,
                       [("artist_albums", "followed_artists"), ("album_tracks", albums)])
    assert len(spotify.rows("album_tracks")) > 100
