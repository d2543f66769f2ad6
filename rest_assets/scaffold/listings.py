"""Which GETs list records, where the list sits in the answer, and the resources' names.

A listing answers a list of objects, directly or under one array property of the answer, one
level down at most (`{"albums": {"items": [...], "next": ...}}`): the `data_selector`. An
answer with an identifying field of its own (`id`, `gid`, ...) is one record, whatever lists
it holds; an answer with several lists, none named like the records' one, is left out with why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from rest_assets.scaffold.document import Document, Operation
from rest_assets.scaffold.words import is_field_name, norm, singular, snake, without_format, words

# Where an answer keeps its records, when it has several lists.
LIST_KEYS = {"data", "items", "results", "records", "entries", "values", "list", "collection", "elements", "resources"}
ID_FIELDS = ("id", "gid", "sid", "uuid", "guid", "uid")
RPC_VERBS = {"list", "all", "get", "read", "index"}
# Words of a schema's name that say how the records are shown, not what they are.
PRESENTATION_WORDS = {"object", "simplified", "summary", "compact", "full", "detail", "details", "response", "model",
                      "schema", "dto", "base", "public", "item", "entry", "resource", "record", "serializer", "read"}


@dataclass
class Records:
    """Where an answer's records are: the list's path (None: the answer is the list), the records'
    schema, and the answer's other fields by dotted path (where paging is said)."""

    selector: str | None
    item: dict
    envelope: dict


@dataclass(eq=False)  # each listing is itself: compared and hashed by identity
class ListEndpoint:
    """A GET that lists records, and what is inferred about it on the way to a resource."""

    op: Operation
    records: Records
    name: str = ""
    primary_key: tuple[str, ...] = ()
    key_notes: list[str] = field(default_factory=list)
    parent: "ListEndpoint | None" = None
    path: str = ""  # dlt's path, with {resources.<parent>.<field>} placeholders
    params: dict[str, Any] = field(default_factory=dict)  # query parameters it sends: a parent's fields, fixed values
    filled: dict[str, str] = field(default_factory=dict)  # its parameters -> the parent's fields that fill them
    passed_down: list[str] = field(default_factory=list)  # fields its parent must take from its own parent
    headers_needed: dict[str, Any] = field(default_factory=dict)  # required headers: their value, None if not given
    disabled: str = ""  # why it is written commented out (a parent's field that does not fit its parameter)
    notes: list[str] = field(default_factory=list)
    paginator: Any = None
    paginator_notes: list[str] = field(default_factory=list)
    page_size: dict[str, int] = field(default_factory=dict)  # the page size parameter and its value
    page_size_notes: list[str] = field(default_factory=list)
    memo: dict = field(default_factory=dict, repr=False)  # what is read of its records more than once

    @property
    def selector(self) -> str | None:
        return self.records.selector

    @property
    def item(self) -> dict:
        return self.records.item

    @property
    def static_segments(self) -> list[str]:
        return [s for s in without_format(self.op.path).split("/") if s and not s.startswith("{")]

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else 1 + self.parent.depth

    def ancestors(self) -> Iterator["ListEndpoint"]:
        parent = self.parent
        while parent is not None:
            yield parent
            parent = parent.parent

    def nouns(self, strength: int = 1) -> set[str]:
        """What its records are, by the names they go by: `me_playlists` and `SimplifiedPlaylistObject` list playlists.

        Strength 0: by its own name and path only; 1: also by where the list sits and the records' schema.
        """
        if ("nouns", strength) not in self.memo:
            self.memo["nouns", strength] = self._nouns(strength)
        return self.memo["nouns", strength]

    def _nouns(self, strength: int) -> set[str]:
        names = [self.name, self.static_segments[-1] if self.static_segments else ""]
        if strength:
            names.append(self.selector.rsplit(".", 1)[-1] if self.selector else "")
            title = [w for w in words(str(self.item.get("title") or "")) if w not in PRESENTATION_WORDS]
            names += ["_".join(title), title[-1] if title else ""]
        nouns = set()
        for name in filter(None, names):
            said = snake(name.split(".")[-1])
            nouns |= {norm(singular(said)), norm(singular(said.rsplit("_", 1)[-1]))}
        return nouns - {""}


def find_records(doc: Document, answer: dict) -> Records | str | None:
    """Where the records of an answer are; why not, for a list of something else; None for one object."""
    kind = doc.kind(answer)[0]
    if kind == "array":
        item = doc.schema(_items(answer))
        return Records(None, item, {}) if _holds_records(doc, item) else "its list holds values, not records"
    properties = doc.properties(answer)
    if not properties or _is_a_record(doc, properties):
        return None
    candidates = list(_lists(doc, properties))
    if odd := next((c.selector for c in candidates if not all(is_field_name(p) for p in c.selector.split("."))), None):
        return f"its list sits under `{odd}`, a name dlt's JSON paths do not take as it is"
    if not candidates:
        values = [k for k, v in properties.items() if doc.kind(v)[0] == "array"]
        return f"its list `{values[0]}` holds values, not records" if len(values) == 1 else None
    if len(candidates) > 1:
        named = [c for c in candidates if norm(c.selector.rsplit(".", 1)[-1]) in LIST_KEYS]
        if len(named) != 1:
            return f"several lists ({', '.join(c.selector for c in candidates)}), none plainly its records"
        candidates = named
    return candidates[0]


def _lists(doc: Document, properties: Mapping[str, Any], prefix: str = "", depth: int = 0) -> Iterator[Records]:
    """The answer's lists of records, one level down at most, each with the fields around it."""
    for key, value in properties.items():
        kind = doc.kind(value)[0]
        if kind == "array" and _holds_records(doc, item := doc.schema(_items(doc.schema(value)))):
            envelope = {f"{prefix}{k}": v for k, v in properties.items() if k != key}
            yield Records(f"{prefix}{key}", item, envelope)
        elif kind == "object" and depth == 0:
            inner = doc.properties(value)
            if inner and not _is_a_record(doc, inner):
                for found in _lists(doc, inner, f"{key}.", depth + 1):
                    found.envelope.update({k: v for k, v in properties.items() if k != key})
                    yield found


def _holds_records(doc: Document, item: dict) -> bool:
    """Objects, or items the document does not describe (records of unknown shape)."""
    kind = doc.kind(item)[0]
    return kind == "object" or (kind is None and not item.get("enum"))


def _is_a_record(doc: Document, properties: Mapping[str, Any]) -> bool:
    """An answer that identifies itself is one record (`/me` with its `images`), not a listing."""
    return any(norm(name) in ID_FIELDS and doc.is_scalar(value) for name, value in properties.items())


def _items(array: Mapping[str, Any]) -> Any:
    """An array's item schema; a list of them (tuple form, used for alternatives) as anyOf."""
    items = array.get("items")
    return {"anyOf": items} if isinstance(items, list) else items


def envelope_fields(doc: Document, envelope: Mapping[str, Any], prefix: str = "", depth: int = 0
                    ) -> Iterator[tuple[str, dict]]:
    """Every field of an answer's envelope, by dotted path (three levels down)."""
    for key, value in envelope.items():
        if not all(is_field_name(part) for part in key.split(".")):
            continue  # not a name a paginator's JSON path takes as it is
        value = doc.schema(value)
        yield f"{prefix}{key}", value
        if depth < 2 and doc.kind(value)[0] == "object":
            yield from envelope_fields(doc, doc.properties(value), f"{prefix}{key}.", depth + 1)


def name_resources(endpoints: list[ListEndpoint]) -> None:
    """Resource names from the paths' last segments, made unique by the segment before."""
    for endpoint in endpoints:
        segments = endpoint.static_segments or [endpoint.selector or "items"]
        last = segments[-1]
        if "." in last:  # an RPC-style method, `conversations.list`: the noun, or noun_verb
            parts = last.split(".")
            last = "_".join(parts[:-1]) if parts[-1].lower() in RPC_VERBS and len(parts) > 1 else "_".join(parts)
        endpoint.name = _identifier(snake(last))
    by_name: dict[str, list[ListEndpoint]] = {}
    for endpoint in endpoints:
        by_name.setdefault(endpoint.name, []).append(endpoint)
    for clashing in by_name.values():
        if len(clashing) > 1:
            for endpoint in clashing:
                before = endpoint.static_segments[:-1]
                if before:
                    endpoint.name = _identifier(f"{singular(snake(before[-1]))}_{endpoint.name}")
    seen: dict[str, int] = {}
    for endpoint in endpoints:  # still the same: number them
        seen[endpoint.name] = seen.get(endpoint.name, 0) + 1
        if seen[endpoint.name] > 1:
            endpoint.name = f"{endpoint.name}_{seen[endpoint.name]}"


def _identifier(name: str) -> str:
    """A resource name: lower-case letters, digits and _, starting with a letter."""
    name = re.sub(r"[^a-z0-9_]", "", name.lower()).strip("_")
    return name if re.match(r"[a-z]", name) else f"r_{name}" if name else "items"
