"""Reading an OpenAPI document (3.0, 3.1 or Swagger 2.0; JSON or YAML; a file or a URL).

`Document` follows local `$ref`s and merges `allOf` as a node is read; `operations` gives each
GET with its parameters (the path item's and its own) and its success answer's schema and
headers.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

from rest_assets.scaffold.words import is_field_name, mentions, norm, one_line

LOAD_TIMEOUT_SECONDS = 60
MAX_SCHEMA_DEPTH = 20


class OpenApiError(ValueError):
    """A document that cannot be read, or options that do not fit it: said in one line."""


def load_document(source: str) -> dict:
    """An OpenAPI document from a file path or an http(s) URL, JSON or YAML."""
    text = _read(source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        try:
            document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (safe)
        except yaml.YAMLError as error:
            raise OpenApiError(f"{source}: neither JSON nor YAML ({one_line(error)})") from None
    if not isinstance(document, dict) or not ("openapi" in document or "swagger" in document):
        raise OpenApiError(f"{source}: not an OpenAPI document (no `openapi` or `swagger` key)")
    if not isinstance(document.get("paths") or {}, dict):
        raise OpenApiError(f"{source}: its `paths` is not a mapping")
    return document


def _read(source: str) -> str:
    if urllib.parse.urlparse(source).scheme in ("http", "https"):
        request = urllib.request.Request(source, headers={"Accept": "application/json, application/yaml, */*"})
        try:
            with urllib.request.urlopen(request, timeout=LOAD_TIMEOUT_SECONDS) as response:  # noqa: S310 (http only)
                return response.read().decode("utf-8")
        except (OSError, ValueError) as error:
            raise OpenApiError(f"{source}: could not be read ({one_line(error)})") from None
    path = Path(source).expanduser()
    if not path.is_file():
        raise OpenApiError(f"{source}: no such file (give a path or an http(s) URL)")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise OpenApiError(f"{source}: could not be read ({one_line(error)})") from None


class Document:
    """A parsed document: local `$ref`s followed and `allOf` merged when a node is read."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.swagger2 = str(raw.get("swagger", "")).startswith("2")
        self._schemas: dict[int, tuple[Any, dict]] = {}  # id(node) -> (node, its schema): read once
        self._mentions: dict[tuple[str, ...], bool] = {}

    @cached_property
    def text(self) -> str:
        """Everything the document says, as one string: to look for what it mentions in words."""
        return json.dumps(self.raw, ensure_ascii=False, default=str)

    def mentions(self, *phrases: str) -> bool:
        """Whether the document says one of the phrases anywhere (regular expressions, without case); asked once."""
        if phrases not in self._mentions:
            self._mentions[phrases] = mentions(self.text, *phrases)
        return self._mentions[phrases]

    def deref(self, node: Any) -> Any:
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#/") or ref in seen:
                return {}  # a remote or circular reference: nothing is inferred from it
            seen.add(ref)
            target: Any = self.raw
            for part in ref[2:].split("/"):
                part = urllib.parse.unquote(part).replace("~1", "/").replace("~0", "~")
                if isinstance(target, list):  # `#/components/schemas/Tag/allOf/0`
                    target = target[int(part)] if part.isdigit() and int(part) < len(target) else None
                else:
                    target = target.get(part) if isinstance(target, dict) else None
            node = target if target is not None else {}
        return node

    @staticmethod
    def ref_name(node: Any) -> str:
        """The name a schema is referenced by (`#/components/schemas/PlaylistObject` -> PlaylistObject), or ''."""
        ref = node.get("$ref") if isinstance(node, dict) else None
        return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else ""

    def schema(self, node: Any, depth: int = 0) -> dict:
        """A schema with its `$ref` followed, `allOf` merged, and a nullable `anyOf`/`oneOf` unwrapped."""
        if depth == 0 and isinstance(node, dict):
            cached = self._schemas.get(id(node))
            if cached is None or cached[0] is not node:  # the node is kept with it: its id stays its own
                cached = self._schemas[id(node)] = (node, self._schema(node, depth))
            return cached[1]
        return self._schema(node, depth)

    def _schema(self, node: Any, depth: int) -> dict:
        title = self.ref_name(node)
        node = self.deref(node)
        if not isinstance(node, dict) or depth > MAX_SCHEMA_DEPTH:
            return {}
        if title and "title" not in node:
            node = {**node, "title": title}
        if "allOf" in node:
            return self._all_of(node, depth)
        # Alternatives: anyOf, oneOf, or (an older JSON Schema habit) a list under `items` with no type.
        key = next((k for k in ("anyOf", "oneOf") if k in node), None)
        if key is None and isinstance(node.get("items"), list) and "type" not in node:
            key = "items"
        if key is None:
            return node
        return self._alternatives(node, key, depth)

    def _all_of(self, node: dict, depth: int) -> dict:
        merged: dict = {k: v for k, v in node.items() if k != "allOf"}
        properties = dict(merged.get("properties") or {})
        required = list(merged.get("required") or [])
        for part in node["allOf"] or []:
            part = self.schema(part, depth + 1)
            properties.update(part.get("properties") or {})
            required += part.get("required") or []
            for key in ("type", "description", "items", "title"):
                merged.setdefault(key, part.get(key))
        merged.update(properties=properties, required=required)
        return {k: v for k, v in merged.items() if v is not None}

    def _alternatives(self, node: dict, key: str, depth: int) -> dict:
        rest = {k: v for k, v in node.items() if k != key}
        alternatives = [self.schema(v, depth + 1) for v in node[key] or []]
        variants = [v for v in alternatives if v.get("type") != "null"]
        null = {"nullable": True} if len(variants) < len(alternatives) else {}  # what a `{type: null}` said
        if len(variants) == 1:
            return {**rest, **variants[0], **null}
        if variants and all(self.kind(v)[0] == "object" for v in variants):  # records of several shapes: every field
            properties: dict = {}
            for variant in variants:
                properties.update({k: v for k, v in (variant.get("properties") or {}).items() if k not in properties})
            required = set.intersection(*(set(v.get("required") or ()) for v in variants))
            return {**rest, "type": "object", "properties": properties, "required": sorted(required), **null}
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

    def nullable(self, node: Any) -> bool:
        """Whether a schema allows null: 3.0's `nullable`, Swagger's `x-nullable`, 3.1's `type: [..., "null"]`,
        or a `{type: null}` among its alternatives."""
        node = self.schema(node)
        kind = node.get("type")
        return node.get("nullable") is True or node.get("x-nullable") is True or (
            isinstance(kind, list) and "null" in kind)

    def properties(self, node: Any) -> dict[str, Any]:
        properties = self.schema(node).get("properties")
        return {str(k): v for k, v in properties.items()} if isinstance(properties, dict) else {}

    def property_named(self, node: Any, name: str) -> str | None:
        """The record's field of that name, compared without case, `_` or `-` (a plain name only: see is_field_name)."""
        return next((p for p in self.properties(node) if norm(p) == norm(name) and is_field_name(p)), None)

    def is_scalar(self, node: Any) -> bool:
        return self.kind(node)[0] in ("string", "integer", "number", "boolean")


@dataclass
class Param:
    name: str
    location: str
    required: bool
    schema: dict
    description: str

    @property
    def key(self) -> str:
        return norm(self.name)

    @property
    def choices(self) -> list[Any]:
        """The values the document allows it, its default first; [] if it says nothing."""
        enum = [v for v in self.schema.get("enum") or [] if v is not None] if isinstance(self.schema.get("enum"), list) else []
        if "default" in self.schema and self.schema["default"] is not None:
            return [self.schema["default"], *(v for v in enum if v != self.schema["default"])]
        return enum


@dataclass
class Operation:
    path: str
    params: list[Param]
    response: dict  # the success answer's schema, $ref followed
    headers: set[str]  # the success answer's header names, lower case
    summary: str
    tags: list[str] = field(default_factory=list)
    words: str = ""  # the operation's and its answer's descriptions, to look for what they mention

    @property
    def query(self) -> dict[str, Param]:
        return {p.key: p for p in self.params if p.location == "query"}

    def query_named(self, names: set[str]) -> Param | None:
        return next((p for key, p in self.query.items() if key in names), None)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"\{([^}]+)\}", self.path)


def operations(doc: Document) -> Iterator[Operation]:
    """Every GET of the document."""
    for path, item in (doc.raw.get("paths") or {}).items():
        item = doc.deref(item)
        get = doc.deref(item.get("get")) if isinstance(item, dict) else None
        if not isinstance(get, dict):
            continue
        params: dict[tuple[str, str], Param] = {}
        for raw in [*(item.get("parameters") or []), *(get.get("parameters") or [])]:
            if (param := _param(doc, raw)) is not None:
                params[(param.name, param.location)] = param
        response, headers, answer_words = _success_answer(doc, get.get("responses") or {})
        tags = [str(t) for t in get.get("tags") or [] if isinstance(t, (str, int))]
        said = " ".join(one_line(get.get(k)) for k in ("summary", "description")) + " " + answer_words
        yield Operation(str(path), list(params.values()), response, headers,
                        one_line(get.get("summary") or get.get("description")), tags, said)


def _param(doc: Document, raw: Any) -> Param | None:
    raw = doc.deref(raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        return None
    if "schema" in raw:
        schema = doc.schema(raw.get("schema"))
    else:  # Swagger 2.0: the schema's keys on the parameter itself
        schema = {k: raw[k] for k in ("type", "format", "minimum", "maximum", "default", "enum") if k in raw}
    return Param(raw["name"], str(raw.get("in", "")), bool(raw.get("required")), schema,
                 one_line(raw.get("description") or schema.get("description")))


def _success_answer(doc: Document, responses: Mapping[str, Any]) -> tuple[dict, set[str], str]:
    """The first success answer's schema, header names and description."""
    codes = sorted(str(c) for c in responses if str(c).startswith("2")) or (["default"] if "default" in responses else [])
    for code in codes:
        answer = doc.deref(responses.get(code) if code in responses else responses.get(int(code)))
        if not isinstance(answer, dict):
            continue
        headers = {str(name).lower() for name in (answer.get("headers") or {})}
        header_words = " ".join(one_line(doc.deref(h).get("description")) for h in (answer.get("headers") or {}).values()
                                if isinstance(doc.deref(h), dict))
        if doc.swagger2:
            schema = answer.get("schema")
        else:
            content = answer.get("content") or {}
            media = next((m for m in content if "json" in m), None)
            schema = (content.get(media) or {}).get("schema") if media else None
        if schema is not None:
            return doc.schema(schema), headers, f"{one_line(answer.get('description'))} {header_words}"
    return {}, set(), ""
