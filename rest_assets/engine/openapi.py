"""An API's defs.yaml from its OpenAPI document (OpenAPI 3.0/3.1 or Swagger 2.0, JSON or YAML).

`dg scaffold defs rest_assets.RestApiComponent <name> --openapi <file or URL>` and
`python -m rest_assets.openapi <name> <file or URL>` both call `write_defs`
(orchestration/scaffolder.py), which calls `generate` here.

`generate(document, name)` reads the document and returns the defs.yaml as text: dlt's `rest_api`
config built as data, with comments where the document leaves something open, then dumped. What
it infers:

- a resource per list endpoint: a GET (no path parameter at its end) answering a list of objects,
  directly or under one key of the answer (the `data_selector`);
- children: a path parameter (or a required query parameter) that names a listed resource's
  records becomes `{resources.<parent>.<field>}`, so lineage follows;
- the paginator, from the parameters, the answer's fields and its headers: a `Link` header
  (`header_link`), a next URL in the body (`json_link`), a cursor field and its parameter
  (`cursor`), `offset`/`limit` (`offset`), a page number (`page_number`); otherwise one request,
  with a comment saying what was seen;
- the primary key (the parameter of the record's own path, `/jobs/{jobId}`, else `id`), column
  hints with the schema's descriptions and obvious types, incremental candidates as comments;
- auth from `securitySchemes` (`securityDefinitions`), secrets as `*_env` names derived from the
  API's name; the base URL from `servers` (`host` + `basePath`) as an overridable template.

Nothing here imports Dagster: `write_defs` (orchestration/scaffolder.py) checks the text by
loading it with the component before it writes it, so a file that would not load is never written.
"""

from __future__ import annotations

import json
import re
import textwrap
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

COMPONENT_TYPE = "rest_assets.RestApiComponent"
LOAD_TIMEOUT_SECONDS = 60
MAX_PAGE_SIZE = 1000  # a document's larger maximum page size is capped: big answers, little gain

# Parameter and field names by role, compared without case, `_` or `-` (`per-page` = `PerPage`).
PAGE_PARAMS = {"page", "pagenumber", "pagenum", "pageindex"}
PAGE_SIZE_PARAMS = {"perpage", "pagesize", "limit", "size", "pagelimit", "maxresults", "maxitems", "count"}
OFFSET_PARAMS = {"offset", "skip", "startindex"}
CURSOR_PARAMS = {"cursor", "pagetoken", "nextpagetoken", "nexttoken", "continuationtoken", "continuation", "after",
                 "startingtoken", "pagecursor", "marker", "starttoken"}
LAST_RECORD_PARAMS = {"startingafter", "afterid", "sinceid", "endingbefore"}
NEXT_LINK_FIELDS = {"next", "nexturl", "nextpageurl", "nextlink", "nextpage", "nextpagelink", "nexthref"}
CURSOR_FIELDS = {"nextcursor", "cursor", "nextpagetoken", "nexttoken", "continuationtoken", "endcursor", "after",
                 "nextmarker", "continuation", "pagetoken"}
HAS_MORE_FIELDS = {"hasmore", "more", "hasnextpage", "hasnext", "moreitems"}
TOTAL_FIELDS = {"total", "totalcount", "totalresults", "totalitems", "totalrecords"}
TOTAL_PAGES_FIELDS = {"totalpages", "pages", "pagecount", "numpages", "lastpage"}
LIST_KEYS = {"data", "items", "results", "records", "entries", "values", "list", "collection", "elements"}
# Query parameters that carry the credential itself: the auth sends it, the resources do not.
CREDENTIAL_PARAMS = {"token", "accesstoken", "apikey", "key"}
ID_FIELDS = ("id", "sid", "uuid")
LOWER_BOUND_WORDS = {"since", "after", "start", "from", "min", "gte", "oldest", "begin"}
UPPER_BOUND_WORDS = {"end", "before", "until", "to", "max", "lte", "latest"}
GENERIC_WORDS = {"at", "date", "time", "on", "datetime", "timestamp", "ts"}
RPC_VERBS = {"list", "all", "get", "read", "index"}
# dlt data types a schema states beyond doubt; everything else is left to dlt's inference.
OBVIOUS_TYPES = {("integer", None): "bigint", ("boolean", None): "bool",
                 ("string", "date-time"): "timestamp", ("string", "date"): "date"}


class OpenApiError(ValueError):
    """A document that cannot be read, or that has nothing to generate from."""


# --- reading the document ----------------------------------------------------------------------


def load_document(source: str) -> dict:
    """An OpenAPI document from a file path or an http(s) URL, JSON or YAML."""
    if urllib.parse.urlparse(source).scheme in ("http", "https"):
        request = urllib.request.Request(source, headers={"Accept": "application/json, application/yaml, */*"})
        with urllib.request.urlopen(request, timeout=LOAD_TIMEOUT_SECONDS) as response:  # noqa: S310 (http only)
            text = response.read().decode("utf-8")
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise OpenApiError(f"{source}: no such file (give a path or an http(s) URL)")
        text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise OpenApiError(f"{source}: neither JSON nor YAML ({error})") from None
    if not isinstance(document, dict) or not ("openapi" in document or "swagger" in document):
        raise OpenApiError(f"{source}: not an OpenAPI document (no `openapi` or `swagger` key)")
    return document


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _words(name: str) -> list[str]:
    """`updatedAtStart` -> [updated, at, start]; `modified_since` -> [modified, since]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", name))
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def snake(name: str) -> str:
    return "_".join(_words(name))


def singular(name: str) -> str:
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith(("sses", "xes", "ches", "shes")):
        return name[:-2]
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


class Document:
    """A parsed document: local `$ref`s followed and `allOf` merged when a node is read."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.swagger2 = str(raw.get("swagger", "")).startswith("2")

    def deref(self, node: Any) -> Any:
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#/") or ref in seen:
                return {}  # a remote or circular reference: nothing is inferred from it
            seen.add(ref)
            target: Any = self.raw
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, dict) else None
            node = target if target is not None else {}
        return node

    def schema(self, node: Any, depth: int = 0) -> dict:
        """A schema with its `$ref` followed, `allOf` merged, and a nullable `anyOf`/`oneOf` unwrapped."""
        node = self.deref(node)
        if not isinstance(node, dict) or depth > 20:
            return {}
        if "allOf" in node:
            merged: dict = {k: v for k, v in node.items() if k != "allOf"}
            properties = dict(merged.get("properties") or {})
            required = list(merged.get("required") or [])
            for part in node["allOf"]:
                part = self.schema(part, depth + 1)
                properties.update(part.get("properties") or {})
                required += part.get("required") or []
                for key in ("type", "description", "items"):
                    merged.setdefault(key, part.get(key))
            merged.update(properties=properties, required=required)
            return {k: v for k, v in merged.items() if v is not None}
        # Alternatives: anyOf, oneOf, or (an older JSON Schema habit) a list under `items` with no type.
        key = next((k for k in ("anyOf", "oneOf") if k in node), None)
        if key is None and isinstance(node.get("items"), list) and "type" not in node:
            key = "items"
        if key is None:
            return node
        rest = {k: v for k, v in node.items() if k != key}
        variants = [v for v in (self.schema(v, depth + 1) for v in node[key] or []) if v.get("type") != "null"]
        if len(variants) == 1:
            return {**rest, **variants[0]}
        if variants and all(self.kind(v)[0] == "object" for v in variants):  # records of several shapes: every field
            properties: dict = {}
            for variant in variants:
                properties.update({k: v for k, v in (variant.get("properties") or {}).items() if k not in properties})
            required = set.intersection(*(set(v.get("required") or ()) for v in variants))
            return {**rest, "type": "object", "properties": properties, "required": sorted(required)}
        return rest

    def kind(self, node: Any) -> tuple[str | None, str | None]:
        """A schema's (type, format); a 3.1 `type: [string, "null"]` reads as string."""
        node = self.schema(node)
        kind = node.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            kind = kinds[0] if len(kinds) == 1 else None
        if kind is None and "properties" in node:
            kind = "object"
        return kind, node.get("format")

    def properties(self, node: Any) -> dict[str, Any]:
        return dict(self.schema(node).get("properties") or {})


@dataclass
class Param:
    name: str
    location: str
    required: bool
    schema: dict
    description: str

    @property
    def key(self) -> str:
        return _norm(self.name)


@dataclass
class Operation:
    path: str
    params: list[Param]
    response: dict  # the success answer's schema, $ref followed
    headers: set[str]  # the success answer's header names, lower case
    summary: str

    @property
    def query(self) -> dict[str, Param]:
        return {p.key: p for p in self.params if p.location == "query"}

    def query_named(self, names: set[str]) -> Param | None:
        return next((p for key, p in self.query.items() if key in names), None)


def _operations(doc: Document) -> Iterator[Operation]:
    for path, item in (doc.raw.get("paths") or {}).items():
        item = doc.deref(item)
        get = doc.deref(item.get("get")) if isinstance(item, dict) else None
        if not isinstance(get, dict):
            continue
        params: dict[tuple[str, str], Param] = {}
        for raw in [*(item.get("parameters") or []), *(get.get("parameters") or [])]:
            raw = doc.deref(raw)
            if not isinstance(raw, dict) or "name" not in raw:
                continue
            schema = doc.schema(raw.get("schema")) if "schema" in raw else {
                k: raw[k] for k in ("type", "format", "minimum", "maximum", "default", "enum") if k in raw}
            params[(raw["name"], raw.get("in", ""))] = Param(raw["name"], raw.get("in", ""), bool(raw.get("required")),
                                                            schema, _text(raw.get("description")))
        response, headers = _success_answer(doc, get.get("responses") or {})
        yield Operation(path, list(params.values()), response, headers, _text(get.get("summary") or get.get("description")))


def _success_answer(doc: Document, responses: Mapping[str, Any]) -> tuple[dict, set[str]]:
    codes = sorted(str(c) for c in responses if str(c).startswith("2")) or (["default"] if "default" in responses else [])
    for code in codes:
        answer = doc.deref(responses.get(code) if code in responses else responses.get(int(code)))
        if not isinstance(answer, dict):
            continue
        headers = {name.lower() for name in (answer.get("headers") or {})}
        if doc.swagger2:
            schema = answer.get("schema")
        else:
            content = answer.get("content") or {}
            media = next((m for m in content if "json" in m), None)
            schema = (content.get(media) or {}).get("schema") if media else None
        if schema is not None:
            return doc.schema(schema), headers
    return {}, set()


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value else ""


# --- what one list endpoint is -------------------------------------------------------------------


@dataclass
class ListEndpoint:
    op: Operation
    selector: str | None  # key of the list in the answer; None: the answer is the list
    item: dict  # the records' schema
    envelope: dict  # the answer's other fields (paging), by dotted path
    name: str = ""
    primary_key: str | None = None
    parent: "ListEndpoint | None" = None
    path: str = ""  # dlt's path, with {resources.<parent>.<field>} placeholders
    params: dict[str, Any] = field(default_factory=dict)  # query parameters a parent fills
    notes: list[str] = field(default_factory=list)
    paginator: Any = None
    paginator_notes: list[str] = field(default_factory=list)
    page_size: dict[str, int] = field(default_factory=dict)  # the page size parameter and its value
    page_size_notes: list[str] = field(default_factory=list)

    @property
    def static_segments(self) -> list[str]:
        return [s for s in self.op.path.split("/") if s and not s.startswith("{")]


def _records(doc: Document, answer: dict) -> tuple[str | None, dict, dict] | str | None:
    """(data_selector, item schema, envelope fields) of an answer that is a list of objects.

    None for an answer that is one object (a record, statistics); why not, for a list of anything else.
    """
    if doc.kind(answer)[0] == "array":
        item = doc.schema(_items(answer))
        return (None, item, {}) if doc.kind(item)[0] == "object" else "its list holds values, not records"
    properties = doc.properties(answer)
    arrays = {k: doc.schema(v) for k, v in properties.items() if doc.kind(v)[0] == "array"}
    lists = {k: v for k, v in arrays.items() if doc.kind(_items(v))[0] == "object"}
    if arrays and not lists and len(arrays) == 1:
        return f"its list `{next(iter(arrays))}` holds values, not records"
    if not lists and len(properties) <= 3:  # {"data": {"items": [...]}, ...}: one level down
        for key, value in properties.items():
            if _norm(key) in LIST_KEYS | {"result", "response"} and doc.kind(value)[0] == "object":
                inner = _records(doc, doc.schema(value))
                if isinstance(inner, tuple) and inner[0]:
                    envelope = {k: v for k, v in properties.items() if k != key}
                    envelope.update({f"{key}.{k}": v for k, v in inner[2].items()})
                    return f"{key}.{inner[0]}", inner[1], envelope
    if not lists:
        return None
    key = next((k for k in lists if _norm(k) in LIST_KEYS), None) or sorted(lists)[0]
    if len(lists) > 1 and _norm(key) not in LIST_KEYS:
        return None  # several lists, none of them plainly the records: one object, not a listing
    return key, doc.schema(_items(lists[key])), {k: v for k, v in properties.items() if k != key}


def _items(array: Mapping[str, Any]) -> Any:
    """An array's item schema; a list of them (tuple form, used for alternatives) as anyOf."""
    items = array.get("items")
    return {"anyOf": items} if isinstance(items, list) else items


def _fields(doc: Document, envelope: Mapping[str, Any], prefix: str = "", depth: int = 0) -> Iterator[tuple[str, dict]]:
    """Every field of an answer's envelope, by dotted path (three levels down)."""
    for key, value in envelope.items():
        value = doc.schema(value)
        yield f"{prefix}{key}", value
        if depth < 2 and doc.kind(value)[0] == "object":
            yield from _fields(doc, doc.properties(value), f"{prefix}{key}.", depth + 1)


# --- the generator -------------------------------------------------------------------------------


class Commented(dict):
    """A mapping whose keys may carry comment lines, written above them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes: dict[str, list[str]] = {}

    def note(self, key: str, *lines: str) -> "Commented":
        self.notes.setdefault(key, []).extend(line for line in lines if line)
        return self


@dataclass
class Disabled:
    """A list item written commented out, with why: what the document leaves for the user to decide."""

    value: Any
    reason: str


def env_prefix(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def _env_template(variable: str, default: str) -> str:
    """A setting read when the definitions load: the env var, else the document's value (as the five APIs write it)."""
    quoted = urllib.parse.quote(default, safe=":/?&=%#[]@!$()*+,;~.-_")  # no ' or braces inside the template
    return f"{{{{ env('{variable}', '{quoted}') }}}}"


def generate(raw: Mapping[str, Any], name: str, origin: str | None = None) -> str:
    """The defs.yaml of the API `name` that the OpenAPI document `raw` describes."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise OpenApiError(f"{name!r}: an API name is lower-case letters, digits and _ (it names the asset group)")
    return dump_defs(build(Document(raw), name, origin))


def build(doc: Document, name: str, origin: str | None) -> Commented:
    """The defs.yaml as data: `{type, attributes}` with comments."""
    prefix = env_prefix(name)
    info = doc.raw.get("info") or {}
    base_url, base_notes = _base_url(doc)
    endpoints, skipped = _list_endpoints(doc)
    if not endpoints:
        raise OpenApiError("the document has no list endpoint (a GET answering a list of objects): nothing to generate")

    client = Commented(base_url=_env_template(f"{prefix}_BASE_URL", base_url))
    client.note("base_url", *base_notes)
    auth, auth_notes = _auth(doc, prefix, base_url)
    if auth is not None:
        client["auth"] = auth
    client.note("auth" if auth is not None else "base_url", *auth_notes)

    defaults, resources = _resources(doc, endpoints)
    attributes = Commented(name=name)
    description = _text(info.get("title"))
    summary = _text(info.get("description")).split(". ")[0].rstrip(".")
    if summary and summary != description:
        description = f"{description}: {summary}" if description else summary
    if description:
        attributes["description"] = description[:300]
    attributes["client"] = client
    attributes.note("client", "dlt's rest_api config. A secret is named, never written: <key>_env: ENV_VAR.")
    if defaults:
        attributes["resource_defaults"] = defaults
    attributes["resources"] = resources
    attributes.note("resources", "One asset per resource; a child names its parent: {resources.<parent>.<field>}.")
    header = [
        f"{name}: generated from the OpenAPI document {origin or ''} "
        f"({_text(info.get('title')) or 'untitled'} {info.get('version', '')}; "
        f"{'Swagger ' + str(doc.raw.get('swagger')) if doc.swagger2 else 'OpenAPI ' + str(doc.raw.get('openapi'))}).",
        "Review the comments: they say what the document left open. README: \"From an OpenAPI document\".",
    ]
    if skipped:
        header.append("Not generated (no list of records to land, or a parameter nothing can fill):")
        header += [f"  GET {path}: {why}" for path, why in skipped]
    root = Commented(type=COMPONENT_TYPE, attributes=attributes)
    root.note("type", *header)
    return root


def _base_url(doc: Document) -> tuple[str, list[str]]:
    if doc.swagger2:
        schemes = doc.raw.get("schemes") or ["https"]
        scheme = "https" if "https" in schemes else schemes[0]
        host = doc.raw.get("host")
        if host:
            return f"{scheme}://{host}{(doc.raw.get('basePath') or '').rstrip('/')}", []
        return "https://api.example.com", ["The document names no host: set the base URL."]
    servers = doc.raw.get("servers") or []
    if not servers or not servers[0].get("url"):
        return "https://api.example.com", ["The document lists no servers: set the base URL."]
    url = servers[0]["url"]
    notes = []
    for variable, spec in (servers[0].get("variables") or {}).items():
        url = url.replace(f"{{{variable}}}", str(spec.get("default", "")))
        notes.append(f"Server variable {variable}: its default, {spec.get('default')!r}.")
    if not urllib.parse.urlparse(url).scheme:
        notes.append(f"The document's server URL {url!r} is relative: set the base URL.")
        url = "https://api.example.com" + ("/" + url.lstrip("/") if url.strip("/") else "")
    if len(servers) > 1:
        notes.append("Other servers in the document: " + ", ".join(s.get("url", "") for s in servers[1:]))
    return url.rstrip("/"), notes


# --- auth ------------------------------------------------------------------------------------------


def _auth(doc: Document, prefix: str, base_url: str) -> tuple[dict | None, list[str]]:
    schemes = {k: doc.deref(v) for k, v in (
        doc.raw.get("securityDefinitions") if doc.swagger2 else (doc.raw.get("components") or {}).get("securitySchemes")
    or {}).items()}
    if not schemes:
        return None, ["The document declares no security scheme: no auth (add dlt's `auth` if the API needs one)."]
    order = [name for requirement in doc.raw.get("security") or [] for name in requirement if name in schemes]
    order += [name for name in schemes if name not in order]
    candidates = [(name, _auth_for(doc, schemes[name], prefix, base_url)) for name in order]
    usable = [(name, auth, notes) for name, (auth, notes) in candidates if auth is not None]
    if not usable:
        return None, [f"Security scheme {name}: {' '.join(notes)}" for name, (_, notes) in candidates]
    # An OAuth2 client-credentials flow first: dlt fetches and renews its tokens itself.
    name, auth, notes = next((u for u in usable if u[1]["type"] == "oauth2_client_credentials"), usable[0])
    others = [n for n in order if n != name]
    lines = [f"From the security scheme {name!r}." + (f" The document also offers: {', '.join(others)}." if others else "")]
    return auth, lines + notes


def _auth_for(doc: Document, scheme: Mapping[str, Any], prefix: str, base_url: str) -> tuple[dict | None, list[str]]:
    kind = scheme.get("type")
    if kind == "basic" or (kind == "http" and str(scheme.get("scheme", "")).lower() == "basic"):
        return Commented(type="http_basic", username_env=f"{prefix}_USERNAME", password_env=f"{prefix}_PASSWORD"), []
    if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
        return Commented(type="bearer", token_env=f"{prefix}_API_TOKEN"), []
    if kind == "apiKey":
        location = scheme.get("in")
        if location not in ("header", "query", "cookie"):
            return None, [f"an API key in {location!r}, which dlt cannot send."]
        return Commented(type="api_key", name=scheme.get("name"), location=location, api_key_env=f"{prefix}_API_KEY"), []
    if kind == "oauth2":
        flows = scheme.get("flows") or {}
        token_url = (flows.get("clientCredentials") or {}).get("tokenUrl")
        if doc.swagger2 and scheme.get("flow") == "application":
            token_url = scheme.get("tokenUrl")
        if token_url:
            token_url = urllib.parse.urljoin(base_url + "/", token_url.lstrip("/")) if not urllib.parse.urlparse(
                token_url).scheme else token_url
            return Commented(type="oauth2_client_credentials",
                             access_token_url=_env_template(f"{prefix}_TOKEN_URL", token_url),
                             client_id_env=f"{prefix}_CLIENT_ID", client_secret_env=f"{prefix}_CLIENT_SECRET"), []
        flow = ", ".join(flows) or scheme.get("flow") or "unnamed"
        return Commented(type="bearer", token_env=f"{prefix}_API_TOKEN"), [
            f"Its OAuth2 flow ({flow}) needs a person to authorize: get a token that way and name it here; "
            "it is sent as a bearer token (RFC 6750)."]
    if kind == "openIdConnect":
        return Commented(type="bearer", token_env=f"{prefix}_API_TOKEN"), [
            "OpenID Connect: get an access token from the provider and name it here; it is sent as a bearer token."]
    return None, [f"a scheme of type {kind!r}, which dlt has no auth for."]


# --- resources -------------------------------------------------------------------------------------


def _list_endpoints(doc: Document) -> tuple[list[ListEndpoint], list[tuple[str, str]]]:
    """The list endpoints with their names, keys, parents and paginators; and what was left out, with why."""
    found: list[ListEndpoint] = []
    instance_params: dict[str, str] = {}  # a list path -> the parameter of its records' own path
    skipped: list[tuple[str, str]] = []
    for op in _operations(doc):
        last = op.path.rstrip("/").rsplit("/", 1)[-1]
        if re.fullmatch(r"\{[^}]+\}", last):
            instance_params[_shape(op.path.rstrip("/").rsplit("/", 1)[0])] = last[1:-1]
            continue
        records = _records(doc, op.response)
        if isinstance(records, str):
            skipped.append((op.path, records))
        elif records is not None:
            found.append(ListEndpoint(op, *records))
    _name(found)
    for endpoint in found:
        endpoint.primary_key = _primary_key(doc, endpoint, instance_params.get(_shape(endpoint.op.path)))
    kept = []
    for endpoint in found:
        why = _resolve_parent(doc, endpoint, found)
        if why:
            skipped.append((endpoint.op.path, why))
        else:
            kept.append(endpoint)
    kept = _with_parents(kept, skipped)
    for endpoint in kept:
        _paginate(doc, endpoint)
    return _parents_first(kept), skipped


def _shape(path: str) -> str:
    """A path with its parameters unnamed: `/a/{x}/b` and `/a/{y}/b` are the same collection."""
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/"))


def _name(endpoints: list[ListEndpoint]) -> None:
    """Resource names from the paths' last segments, made unique by the segment before."""
    for endpoint in endpoints:
        segments = endpoint.static_segments or [endpoint.selector or "items"]
        last = segments[-1]
        if "." in last:  # an RPC-style method, `conversations.list`: the noun, or noun_verb
            parts = last.split(".")
            last = "_".join(parts[:-1]) if parts[-1].lower() in RPC_VERBS and len(parts) > 1 else "_".join(parts)
        endpoint.name = snake(last) or "items"
    by_name: dict[str, list[ListEndpoint]] = {}
    for endpoint in endpoints:
        by_name.setdefault(endpoint.name, []).append(endpoint)
    for clashing in by_name.values():
        if len(clashing) > 1:
            for endpoint in clashing:
                before = endpoint.static_segments[:-1]
                if before:
                    endpoint.name = f"{singular(snake(before[-1]))}_{endpoint.name}"
    seen: dict[str, int] = {}
    for endpoint in endpoints:  # still the same: number them
        seen[endpoint.name] = seen.get(endpoint.name, 0) + 1
        if seen[endpoint.name] > 1:
            endpoint.name = f"{endpoint.name}_{seen[endpoint.name]}"


def _property_named(doc: Document, item: dict, name: str) -> str | None:
    return next((p for p in doc.properties(item) if _norm(p) == _norm(name)), None)


def _primary_key(doc: Document, endpoint: ListEndpoint, instance_param: str | None) -> str | None:
    """The records' own path parameter (`/jobs/{jobId}` -> jobId) if a field, else an id field."""
    if instance_param:
        if found := _property_named(doc, endpoint.item, instance_param):
            return found
        for suffix in ("id", "sid", "uuid", "key"):  # `{Sid}` for a field `sid`, `{userId}` for `id`
            if _norm(instance_param).endswith(suffix) and (found := _property_named(doc, endpoint.item, suffix)):
                return found
    for candidate in (*ID_FIELDS, f"{singular(endpoint.name)}_id", f"{singular(endpoint.name)}Id"):
        if found := _property_named(doc, endpoint.item, candidate):
            return found
    return None


def _resolve_parent(doc: Document, endpoint: ListEndpoint, endpoints: list[ListEndpoint]) -> str | None:
    """Fill the path parameters and required query parameters from a parent's records; why not, if not."""
    path = endpoint.op.path
    path_params = re.findall(r"\{([^}]+)\}", path)
    parent = None
    if path_params:
        last = path_params[-1]
        shape = _shape(path[: path.index("{" + last + "}")])
        parent = next((e for e in endpoints if _shape(e.op.path) == shape), None)
        if parent is None:
            parent = _named_by(doc, last, endpoint, endpoints)
        if parent is None or parent.primary_key is None:
            return f"nothing lists the records that {{{last}}} names"
        for name in path_params:
            value = parent.primary_key if name == last else _property_named(doc, parent.item, name)
            if value is None:
                return f"{parent.name}'s records have no field for {{{name}}}"
            path = path.replace("{" + name + "}", f"{{resources.{parent.name}.{value}}}")
    for param in endpoint.op.params:
        if param.key in CREDENTIAL_PARAMS | {"authorization"}:
            continue  # the credential: the auth sends it
        if param.location in ("header", "cookie") and param.required and "default" not in param.schema:
            return f"it needs the {param.location} {param.name}, which the document does not fill"
        if param.location != "query":
            continue
        named = _named_by(doc, param.name, endpoint, endpoints)
        if param.required and "default" not in param.schema:
            if named is None or (parent is not None and named is not parent):
                return f"it needs ?{param.name}, which no listed record provides"
            parent = named
            endpoint.params[param.name] = f"{{resources.{named.name}.{named.primary_key}}}"
        elif named is not None and named.primary_key and named is not endpoint:
            endpoint.notes.append(f"?{param.name} could take each {named.name} record's {named.primary_key} "
                                  f"(\"{{resources.{named.name}.{named.primary_key}}}\"): a child of {named.name}.")
    endpoint.parent, endpoint.path = parent, path
    return None


def _named_by(doc: Document, param: str, endpoint: ListEndpoint, endpoints: list[ListEndpoint]) -> ListEndpoint | None:
    """The listed resource whose records a parameter names: by its key (`organizationId`) or its noun (`channel`)."""
    key = _norm(param)
    for other in endpoints:
        if other is not endpoint and other.primary_key and _norm(other.primary_key) == key and other.primary_key not in ID_FIELDS:
            return other
    for other in sorted(endpoints, key=lambda e: len(e.name)):  # `conversations` before `admin_conversations_search`
        if other is endpoint or not other.primary_key:
            continue
        nouns = {_norm(singular(other.name)), _norm(singular(other.selector.rsplit(".", 1)[-1])) if other.selector else ""}
        if key in {n + suffix for n in nouns if n for suffix in ("", "id", "sid", "uuid")}:
            return other
    return None


def _with_parents(endpoints: list[ListEndpoint], skipped: list[tuple[str, str]]) -> list[ListEndpoint]:
    """Children whose parent was left out are left out too."""
    while True:
        names = {e.name for e in endpoints}
        orphans = [e for e in endpoints if e.parent is not None and e.parent.name not in names]
        if not orphans:
            return endpoints
        skipped += [(e.op.path, f"its parent {e.parent.name} was left out") for e in orphans]
        endpoints = [e for e in endpoints if e not in orphans]


def _parents_first(endpoints: list[ListEndpoint]) -> list[ListEndpoint]:
    ordered: list[ListEndpoint] = []

    def place(endpoint: ListEndpoint) -> None:
        if endpoint in ordered:
            return
        if endpoint.parent is not None:
            place(endpoint.parent)
        ordered.append(endpoint)

    for endpoint in endpoints:
        place(endpoint)
    return ordered


# --- paginators ------------------------------------------------------------------------------------


def _page_size(param: Param, needed: bool) -> tuple[int | None, str]:
    """The page size to ask for: the document's maximum (capped), else its default; and a note."""
    maximum, default = param.schema.get("maximum"), param.schema.get("default")
    if isinstance(maximum, int) and maximum > 0:
        if maximum > MAX_PAGE_SIZE:
            return MAX_PAGE_SIZE, f"{param.name}: the document allows up to {maximum}; {MAX_PAGE_SIZE} asked for."
        return maximum, f"{param.name}: the document's maximum."
    if isinstance(default, int) and default > 0:
        return default, f"{param.name}: the document's default (it states no maximum)."
    if needed:
        return 100, f"{param.name}: the document states no maximum or default: 100 asked for, check the API's limit."
    return None, f"{param.name} sets the page size; the document states no maximum, so the API's default applies."


def _paginate(doc: Document, endpoint: ListEndpoint) -> None:
    """The endpoint's paginator in dlt's form, from its parameters, answer fields and headers."""
    op, notes = endpoint.op, endpoint.paginator_notes
    fields = list(_fields(doc, endpoint.envelope))
    named = lambda names: next((path for path, schema in fields if _norm(path.rsplit(".", 1)[-1]) in names  # noqa: E731
                                and doc.kind(schema)[0] not in ("object", "array")), None)
    cursor_param = op.query_named(CURSOR_PARAMS)
    size_param = op.query_named(PAGE_SIZE_PARAMS)
    has_more = named(HAS_MORE_FIELDS)
    # A next URL: a string field named like one, a URI (or, with no cursor parameter, any string).
    next_link = next((path for path, schema in fields if _norm(path.rsplit(".", 1)[-1]) in NEXT_LINK_FIELDS
                      and doc.kind(schema)[0] == "string" and (doc.kind(schema)[1] in ("uri", "url") or not cursor_param)),
                     None)
    if next_link is None:  # `_links.next.href`, `links.next.href`
        next_link = next((path for path, _ in fields if path.lower().endswith("next.href")), None)

    def with_size(needed: bool = False) -> None:
        if size_param is not None:
            size, note = _page_size(size_param, needed)
            if size is not None:
                endpoint.page_size[size_param.name] = size
            endpoint.page_size_notes.append(note)

    offset_param = op.query_named(OFFSET_PARAMS)
    if "link" in op.headers or next_link:  # the API says where the next page is: follow it
        if "link" in op.headers:
            endpoint.paginator = "header_link"
            notes.append("The answer has a Link header: its rel=\"next\" URL is the next page.")
        else:
            endpoint.paginator = Commented(type="json_link", next_url_path=next_link)
            notes.append(f"`{next_link}` in the answer is the next page's URL.")
        with_size()
        if also := [p.name for p in (cursor_param, offset_param, op.query_named(PAGE_PARAMS)) if p is not None]:
            notes.append(f"(?{', ?'.join(also)} also page it; the link the API gives is followed instead.)")
    elif cursor_param and (cursor_field := named(CURSOR_FIELDS)):
        endpoint.paginator = Commented(type="cursor", cursor_path=cursor_field, cursor_param=cursor_param.name)
        if has_more:
            endpoint.paginator["has_more_path"] = has_more
        notes.append(f"?{cursor_param.name} takes `{cursor_field}` of the previous answer.")
        with_size()
    elif offset_param and size_param:
        size, note = _page_size(size_param, needed=True)
        endpoint.paginator = Commented(type="offset", limit=size, offset_param=offset_param.name,
                                       limit_param=size_param.name, total_path=named(TOTAL_FIELDS))
        if has_more:
            endpoint.paginator["has_more_path"] = has_more
        notes += [f"?{offset_param.name} and ?{size_param.name}; " + (
            f"`{endpoint.paginator['total_path']}` is the total." if endpoint.paginator["total_path"]
            else "no total in the answer: the last page is a short or empty one."), note]
    elif page := op.query_named(PAGE_PARAMS):
        base = page.schema.get("minimum", page.schema.get("default"))
        endpoint.paginator = Commented(type="page_number", page_param=page.name, base_page=base if base in (0, 1) else 1,
                                       total_path=named(TOTAL_PAGES_FIELDS))
        notes.append(f"?{page.name} numbers the pages; " + (
            f"`{endpoint.paginator['total_path']}` is the number of pages." if endpoint.paginator["total_path"]
            else "no page count in the answer: the last page is an empty one."))
        if base not in (0, 1):
            notes.append("The document does not say whether pages count from 0 or 1: 1 assumed.")
        with_size()
    else:
        endpoint.paginator = "single_page"
        seen = [p.name for p in op.params if p.key in PAGE_PARAMS | PAGE_SIZE_PARAMS | OFFSET_PARAMS | CURSOR_PARAMS
                | LAST_RECORD_PARAMS]
        seen += [f"`{path}`" for path, _ in fields if _norm(path.rsplit(".", 1)[-1]) in
                 CURSOR_FIELDS | HAS_MORE_FIELDS | TOTAL_FIELDS | NEXT_LINK_FIELDS]
        if seen:
            notes.append(f"Paging not inferred: the document shows {', '.join(seen)}, but not how they chain. "
                         "One request until you set dlt's paginator.")
        else:
            notes.append("The document shows no paging (no page, offset or cursor parameter, no next link): one request.")


# --- resources as dlt config -------------------------------------------------------------------------


def _columns(doc: Document, item: dict) -> Commented:
    columns = Commented()
    for name, schema in doc.properties(item).items():
        hint: dict[str, Any] = {}
        if description := _text(doc.schema(schema).get("description") or (schema or {}).get("description")):
            hint["description"] = description
        kind, fmt = doc.kind(schema)
        if data_type := OBVIOUS_TYPES.get((kind, fmt if kind == "string" else None)):
            hint["data_type"] = data_type
        if hint:
            columns[name] = hint
    return columns


def _incremental_notes(doc: Document, endpoint: ListEndpoint) -> list[str]:
    """Query parameters that filter on a moment from below, with the field they filter if it can be told."""
    notes = []
    properties = doc.properties(endpoint.item)
    for param in endpoint.op.query.values():
        words = _words(param.name)
        fmt = param.schema.get("format")
        moment = fmt in ("date", "date-time") or any(w in {"modified", "updated", "since", "changed"} for w in words)
        if not moment or not (set(words) & LOWER_BOUND_WORDS or {"modified", "updated", "changed"} & set(words)) \
                or set(words) & UPPER_BOUND_WORDS:
            continue
        stem = set(words) - LOWER_BOUND_WORDS - GENERIC_WORDS
        matches = [p for p in properties if stem & set(_words(p))]
        fmt_note = f"it takes a {fmt}" if fmt else "the document does not say in which format it takes a moment"
        if len(matches) == 1:
            notes.append(f"Incremental candidate: ?{param.name} ({fmt_note}) filters on `{matches[0]}`: "
                         f"endpoint.incremental: {{cursor_path: {matches[0]}, start_param: {param.name}}}, "
                         "with start_date_env or initial_value.")
        else:
            notes.append(f"Incremental candidate: ?{param.name} ({fmt_note}); the document does not say which "
                         "field it filters on.")
    return notes


def _resources(doc: Document, endpoints: list[ListEndpoint]) -> tuple[Commented, list]:
    """resource_defaults (what every resource shares) and the resources, long form."""
    shared = Commented()
    keys = {e.primary_key for e in endpoints if e.primary_key}
    usable = [e for e in endpoints if e.primary_key]
    if len(keys) == 1 and len(usable) == len(endpoints):
        shared["primary_key"] = keys.pop()
    endpoint_defaults = Commented()
    selectors = {e.selector for e in endpoints}
    if len(selectors) == 1 and None not in selectors and len(endpoints) > 1:
        endpoint_defaults["data_selector"] = selectors.pop()
    paginators = {json.dumps(e.paginator, sort_keys=True) for e in usable}
    if len(paginators) == 1 and len(usable) > 1:
        endpoint_defaults["paginator"] = usable[0].paginator
        endpoint_defaults.note("paginator", *dict.fromkeys(n for e in usable for n in e.paginator_notes))
        # The page size goes with the paginator: shared when both are (a size without a paginator would mislead).
        sizes = {json.dumps(e.page_size, sort_keys=True) for e in usable}
        if len(sizes) == 1 and usable[0].page_size:
            endpoint_defaults["params"] = dict(usable[0].page_size)
        endpoint_defaults.note("params" if "params" in endpoint_defaults else "paginator",
                               *dict.fromkeys(n for e in usable for n in e.page_size_notes))
    if endpoint_defaults:
        shared["endpoint"] = endpoint_defaults

    resources: list = []
    for endpoint in endpoints:
        resource = Commented(name=endpoint.name)
        if endpoint.primary_key and "primary_key" not in shared:
            resource["primary_key"] = endpoint.primary_key
        spec = Commented(path=endpoint.path)
        if endpoint.selector and "data_selector" not in endpoint_defaults:
            spec["data_selector"] = endpoint.selector
        params = dict(endpoint.params)
        if endpoint_defaults.get("paginator") != endpoint.paginator:  # its own (a commented-out one's may differ)
            params.update(endpoint.page_size)
            spec["paginator"] = endpoint.paginator
            spec.note("paginator", *endpoint.paginator_notes)
            spec.note("params" if endpoint.page_size else "paginator", *endpoint.page_size_notes)
        elif "params" not in endpoint_defaults:
            params.update(endpoint.page_size)
        if params:
            spec["params"] = params
        resource["endpoint"] = spec
        columns = _columns(doc, endpoint.item)
        if columns:
            resource["columns"] = columns
        notes = []
        if endpoint.op.summary:
            notes.append(f"GET {endpoint.op.path}: {endpoint.op.summary}"[:200])
        if endpoint.parent is not None:
            notes.append(f"A child of {endpoint.parent.name}: one request per {endpoint.parent.name} record.")
        notes += endpoint.notes + _incremental_notes(doc, endpoint)
        resource.note("name", *notes)
        if endpoint.primary_key is None:
            resources.append(Disabled(resource, (
                "No primary key: the records have no id field and no path of their own. Set primary_key "
                "(the fields that identify a record), then uncomment.")))
        else:
            resources.append(resource)
    if not any(not isinstance(r, Disabled) for r in resources):
        raise OpenApiError("no list endpoint's records have an identifying field: set primary keys by hand")
    return shared, resources


# --- YAML with comments ------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """The data a dumped file loads as: comments dropped, disabled items left out."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value if not isinstance(v, Disabled)]
    return value


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        if re.fullmatch(r"[A-Za-z_/][\w./-]*", value) and yaml.safe_load(value) == value:
            return value
        return json.dumps(value, ensure_ascii=False)
    return yaml.safe_dump(value, default_flow_style=True).removesuffix("\n...\n").strip()


def _flow(value: Any) -> str | None:
    """A small mapping or list of scalars on one line, or None."""
    if isinstance(value, Commented) and value.notes:
        return None
    if isinstance(value, dict):
        if all(not isinstance(v, (dict, list)) for v in value.values()):
            text = "{" + ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
            return text if len(text) <= 100 or all(k == "description" for k in value) else None
    if isinstance(value, list) and all(not isinstance(v, (dict, list, Disabled)) for v in value):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return None


def _comment(lines: list[str], indent: int) -> list[str]:
    out = []
    for line in lines:
        out += textwrap.wrap(line, width=max(40, 110 - indent), initial_indent=" " * indent + "# ",
                             subsequent_indent=" " * indent + "#   ", break_on_hyphens=False) or [" " * indent + "#"]
    return out


def _block(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(value, Commented):
                lines += _comment(value.notes.get(key, []), indent)
            flow = None if isinstance(item, (dict, list)) and not item else _flow(item)
            if not isinstance(item, (dict, list)):
                lines.append(f"{pad}{_scalar(key)}: {_scalar(item)}")
            elif flow is not None:
                lines.append(f"{pad}{_scalar(key)}: {flow}")
            else:
                lines.append(f"{pad}{_scalar(key)}:")
                lines += _block(item, indent + 2)
        return lines
    for item in value:
        disabled = isinstance(item, Disabled)
        if disabled:
            lines += _comment([item.reason], indent)
            item = item.value
        if isinstance(item, Commented) and item:
            first = next(iter(item))
            lines += _comment(item.notes.get(first, []), indent)  # above the `- `, not inside it
            rest = Commented(item)
            rest.notes = {k: v for k, v in item.notes.items() if k != first}
            item = rest
        body = _block(item, indent + 2) if isinstance(item, dict) and _flow(item) is None else [
            f"{pad}  {_flow(item) if isinstance(item, (dict, list)) else _scalar(item)}"]
        body[0] = f"{pad}- {body[0][indent + 2:]}"
        lines += [f"{pad}# {line[indent:]}" if line.strip() else line for line in body] if disabled else body
    return lines


def dump_defs(root: Commented) -> str:
    return "\n".join(_block(root, 0)) + "\n"


# --- writing it ----------------------------------------------------------------------------------
