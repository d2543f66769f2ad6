"""The tables of docs/openapi.md: what the generator makes of each corpus document, and what dlt-init-openapi does.

    .venv/bin/python scripts/openapi_corpus_table.py                          # ours only
    .venv/bin/python scripts/openapi_corpus_table.py --dlt-init-openapi DIR   # and dlt-init-openapi's

Ours: each document of rest_assets_tests/fixtures/openapi/ (the corpus of test_openapi_corpus.py)
through `python -m rest_assets.openapi` into a temporary folder. dlt-init-openapi's: DIR holds one
folder per API name as `dlt-init-openapi <name> --path <document> --output-path DIR/<name>
--no-interactive` wrote it (docs/openapi.md says how it was run); its `<name>/__init__.py` is read
with `ast`, nothing of it imported or run.

Per document: resources (a table each; dlt-init-openapi also makes one per single-record endpoint,
shown as `+N`), resources with a primary key, lineage edges (a child resource's path or parameters
taken from a parent's records), paginators right/wrong on the list endpoints judged against the
document's query parameters (PAGING below), auth, and what the user must still write.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from rest_assets_tests.test_openapi_corpus import CORPUS, Document, _document_source  # noqa: E402

PARAMETER = re.compile(r"\{[^}]*\}")


# --- judging a paginator against the document ------------------------------------------------------

def _is(config: dict, **expected: Any) -> bool:
    return all(config.get(k) == v for k, v in expected.items())


def _single(config: dict) -> bool:
    return config.get("type") in (None, "single_page")


def _one_of(*checks: Callable[[dict], bool]) -> Callable[[dict], bool]:
    return lambda config: any(check(config) for check in checks)


def _next_link(path: str) -> Callable[[dict], bool]:
    return lambda c: _is(c, type="json_link", next_url_path=path)


def _offset(offset_param="offset", limit_param="limit", **more) -> Callable[[dict], bool]:
    return lambda c: _is(c, type="offset", offset_param=offset_param, limit_param=limit_param, **more)


def _cursor(cursor_path: str, cursor_param: str) -> Callable[[dict], bool]:
    return lambda c: _is(c, type="cursor", cursor_path=cursor_path, cursor_param=cursor_param)


def _wrapped(data_selector: str | None, build: Callable[[str], Callable[[dict], bool]], field: str) -> Callable:
    """A paging field next to the list: `categories.next` when the list is `categories.items`."""
    prefix = data_selector.rpartition(".")[0] + "." if data_selector and "." in data_selector else ""
    return build(prefix + field)


def _link_header_with_results(config: dict) -> bool:
    """Sentry: every page names a next link; only its `results="true"` says it leads somewhere (the project's
    `header_link_results`; dlt's `header_link` would read a last, empty page and then repeat it)."""
    return config.get("type") == "header_link_results"


def _not_total(field: str, check: Callable[[dict], bool]) -> Callable[[dict], bool]:
    """PagerDuty: `total` is null unless `?total=true` is sent, and dlt fails on a null total."""
    return lambda c: check(c) and c.get("total_path") != field


# For each API: (query parameters that must all be present, data_selector -> the check of the paginator).
# The first rule whose parameters are present decides; none: one request is right.
PAGING: dict[str, list[tuple[tuple[str, ...], Callable[[str | None], Callable[[dict], bool]]]]] = {
    "twilio": [(("PageSize",), lambda s: _next_link("meta.next_page_url"))],
    "airbyte": [(("offset",), lambda s: _one_of(_next_link("next"), _offset()))],
    "slack": [(("cursor", "page"), lambda s: _one_of(_cursor("response_metadata.next_cursor", "cursor"),
                                                     lambda c: _is(c, type="page_number", page_param="page"))),
              (("cursor",), lambda s: _one_of(_cursor("response_metadata.next_cursor", "cursor"),
                                              _cursor("next_cursor", "cursor"))),
              (("page",), lambda s: lambda c: _is(c, type="page_number", page_param="page"))],
    "pokeapi": [(("offset",), lambda s: _one_of(_next_link("next"), _offset(total_path="count")))],
    # Asana pages only when `limit` is sent; without it (a listing that takes none) one request is right too.
    "asana": [(("offset", "limit"), lambda s: _one_of(_cursor("next_page.offset", "offset"),
                                                      _next_link("next_page.uri"))),
              (("offset",), lambda s: _one_of(_cursor("next_page.offset", "offset"), _single))],
    "spotify": [(("after",), lambda s: _one_of(_wrapped(s, _next_link, "next"),
                                               _wrapped(s, lambda p: _cursor(p, "after"), "cursors.after"))),
                (("offset",), lambda s: _one_of(_wrapped(s, _next_link, "next"),
                                                _wrapped(s, lambda p: _offset(total_path=p), "total")))],
    # SCIM: 1-based, and dlt's offset paginator stops at `offset >= total`: a total would lose the last record.
    "sentry": [(("cursor",), lambda s: _link_header_with_results),
               (("startIndex",), lambda s: _offset("startIndex", "count", offset=1, total_path=None))],
    # A listing whose answer echoes `Pagination` (offset, limit, more) pages by them, listed or not.
    "pagerduty": [(("cursor",), lambda s: _cursor("next_cursor", "cursor")),
                  (("offset",), lambda s: _not_total("total", _offset())),
                  ((), lambda s: _one_of(_single, _not_total("total", _offset(has_more_path="more"))))],
    "box": [(("marker",), lambda s: _cursor("next_marker", "marker")),
            (("offset",), lambda s: _offset(total_path="total_count"))],
    "xero": [(("page",), lambda s: lambda c: _is(c, type="page_number", page_param="page", base_page=1))],
    "harbor": [(("page",), lambda s: _one_of(lambda c: _is(c, type="header_link"),
                                             lambda c: _is(c, type="page_number", page_param="page")))],
}


class DocumentPaths:
    """The query parameters of each GET path of a document, by path shape (`/a/{}/b`)."""

    def __init__(self, source: Path) -> None:
        text = source.read_text(encoding="utf-8")
        self.raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self.params: dict[str, set[str]] = {}
        for path, item in self.raw.get("paths", {}).items():
            if isinstance(item, dict) and "get" in item:
                found = [self._resolve(p) for p in [*item.get("parameters", []), *item["get"].get("parameters", [])]]
                self.params[shape(path)] = {p.get("name") for p in found if p.get("in") == "query"}

    def _resolve(self, node: dict) -> dict:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.raw
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def query_params(self, path: str) -> set[str] | None:
        return self.params.get(shape(path))


def shape(path: str) -> str:
    return PARAMETER.sub("{}", path.split("#")[0]).rstrip("/")


def judge(api: str, params: set[str], data_selector: str | None, config: dict) -> bool:
    if config.get("maximum_offset") or config.get("maximum_page"):
        return False  # stops after a fixed number of records or pages: a partial listing taken for the whole
    for needed, rule in PAGING[api]:
        if set(needed) <= params:
            return rule(data_selector)(config)
    return _single(config)


# --- one side's file, summarized -------------------------------------------------------------------

@dataclass
class Resource:
    path: str
    primary_key: Any
    parent: str | None
    paginator: dict
    data_selector: str | None
    commented: bool = False


@dataclass
class Summary:
    resources: list[Resource]
    single_record: int  # resources of single-record endpoints (dlt-init-openapi makes them)
    auth: str
    to_write: list[str]

    def row(self, api: str, document: DocumentPaths) -> list[str]:
        active = [r for r in self.resources if not r.commented]
        judged = Counter()
        for resource in active:
            params = document.query_params(resource.path)
            if params is not None:
                judged[judge(api, params, resource.data_selector, resource.paginator)] += 1
        commented = len(self.resources) - len(active)
        return [f"{len(active)}" + (f" +{self.single_record}" if self.single_record else "")
                + (f" (+{commented} commented)" if commented else ""),
                str(sum(1 for r in active if r.primary_key)),
                str(sum(1 for r in active if r.parent)),
                f"{judged[True]} / {judged[False]}",
                self.auth, "; ".join(self.to_write) or "nothing"]


def ours(folder: Path) -> Summary:
    text = (folder / "defs.yaml").read_text()
    attributes = yaml.safe_load(text)["attributes"]
    defaults = (attributes.get("resource_defaults") or {}).get("endpoint") or {}
    resources = [_our_resource(r, defaults) for r in attributes.get("resources") or []]
    commented = [_our_resource(r, defaults) for r in _commented_resources(text)]
    client = attributes.get("client") or {}
    auth = client.get("auth") or {}
    secrets = sorted({v for k, v in _walk(client) if k.endswith("_env")})  # credentials, required headers
    env = sorted(set(re.findall(r"env\('([A-Z0-9_]+)'", text)))
    keyless = sum(1 for r in resources if not r.primary_key)
    unpaged = text.count("Paging not inferred")
    to_write = [f"env {', '.join(secrets)}"] if secrets else []
    to_write += [f"{keyless} keyless resources (whole table replaced each run) to key or leave"] if keyless else []
    to_write += [f"{unpaged} paginators the document leaves open (one request, the run fails if more)"] if unpaged else []
    to_write += [f"{len(commented)} commented-out resources"] if commented else []
    to_write += [f"base URL ({', '.join(env)}) for another host"] if env else []
    return Summary([*resources, *(_as_commented(r) for r in commented)], 0, auth.get("type", "none"), to_write)


def _our_resource(resource: dict, defaults: dict) -> Resource:
    endpoint = resource.get("endpoint") or {}
    endpoint = {**defaults, **({"path": endpoint} if isinstance(endpoint, str) else endpoint)}
    paginator = endpoint.get("paginator")
    paginator = {"type": paginator} if isinstance(paginator, str) else dict(paginator or {})
    references = re.findall(r"\{resources\.([^.}]+)\.", str(endpoint.get("path")) + str(endpoint.get("params")))
    return Resource(str(endpoint.get("path")), resource.get("primary_key"), references[0] if references else None,
                    paginator, endpoint.get("data_selector"))


def _as_commented(resource: Resource) -> Resource:
    resource.commented = True
    return resource


def _commented_resources(text: str) -> list[dict]:
    """The resources written commented out (`#   - name: ...` blocks), read back as YAML."""
    blocks, current = [], None
    for line in text.splitlines():
        match = re.match(r"^(\s*)#(\s*)- name: ", line)
        if match:
            current = [line]
            blocks.append(current)
        elif current is not None and re.match(r"^\s*#\s{3,}\S", line):
            current.append(line)
        else:
            current = None
    found = []
    for block in blocks:
        body = "\n".join(re.sub(r"^\s*# ?", "", line, count=1) for line in block)
        try:
            parsed = yaml.safe_load(body)
        except yaml.YAMLError:
            continue
        if isinstance(parsed, list) and parsed and isinstance(parsed[0], dict) and "endpoint" in parsed[0]:
            found.append(parsed[0])
    return found


def _walk(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [(k, v) for k, v in value.items() if not isinstance(v, (dict, list))] + [
            pair for v in value.values() for pair in _walk(v)]
    if isinstance(value, list):
        return [pair for v in value for pair in _walk(v)]
    return []


def dlt_init_openapi(folder: Path, name: str) -> Summary | None:
    source = folder / f"{name}_pipeline" / name / "__init__.py"
    if not source.is_file():
        return None
    text = source.read_text()
    config = _literal(next(node.value for node in ast.walk(ast.parse(text))
                           if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "source_config"))
    client = config.get("client") or {}
    default = client.get("paginator") or {}
    resources, single = [], 0
    for resource in config.get("resources") or []:
        endpoint = resource.get("endpoint") or {}
        path = endpoint.get("path", "")
        if re.search(r"\{[^}]*\}/?$", path):
            single += 1
            continue
        params = endpoint.get("params") or {}
        parents = [v.get("resource") for v in params.values() if isinstance(v, dict) and v.get("type") == "resolve"]
        paginator = endpoint.get("paginator", default)
        paginator = {"type": paginator} if isinstance(paginator, str) else dict(paginator or {})
        resources.append(Resource(path, resource.get("primary_key"), parents[0] if parents else None, paginator,
                                  endpoint.get("data_selector")))
    auth = client.get("auth") or {}
    secrets = re.findall(r"(\w+): str = dlt\.secrets\.value", text)
    to_write = [f"{text.count('FILL_ME_IN')} FILL_ME_IN"] if "FILL_ME_IN" in text else []
    to_write += [f"secrets {', '.join(secrets)}"] if secrets else []
    to_write += ["base_url"] if "base_url: str = dlt.config.value" in text else []
    return Summary(resources, single, auth.get("type", "none") if auth else "none", to_write)


def _literal(node: ast.AST) -> Any:
    """A dict/list literal, names (`token`, `base_url`) as `<name>`."""
    if isinstance(node, ast.Dict):
        return {_literal(k): _literal(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.List):
        return [_literal(v) for v in node.elts]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return f"<{node.id}>"
    return "<expression>"


# --- the tables -------------------------------------------------------------------------------------

COLUMNS = ["resources", "keys", "edges", "paginators right / wrong", "auth", "left to the user"]


def generate_ours(document: Document, work: Path) -> Path:
    source = _document_source(document.file, work)
    subprocess.run([sys.executable, "-m", "rest_assets.openapi", document.name, str(source), "--out",
                    str(work / "apis")], cwd=REPO_ROOT, check=False, capture_output=True)
    return work / "apis" / document.name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dlt-init-openapi", type=Path, help="the folder of dlt-init-openapi's outputs, one per API")
    args = parser.parse_args(argv)
    header = ["document", *(f"ours: {c}" for c in COLUMNS)]
    if args.dlt_init_openapi:
        header += [f"dlt-init-openapi: {c}" for c in COLUMNS]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    with tempfile.TemporaryDirectory() as work:
        for document in CORPUS:
            folder = generate_ours(document, Path(work))
            paths = DocumentPaths(_document_source(document.file, Path(work)))
            row = [document.name]
            row += ours(folder).row(document.name, paths) if (folder / "defs.yaml").is_file() else (
                ["no file"] + [""] * (len(COLUMNS) - 1))
            if args.dlt_init_openapi:
                theirs = dlt_init_openapi(args.dlt_init_openapi / document.name, document.name)
                row += theirs.row(document.name, paths) if theirs else ["no file (refused the document)"] + [""] * (
                    len(COLUMNS) - 1)
            print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
