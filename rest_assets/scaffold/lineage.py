"""Children: the listed records that fill a listing's path parameters and required query parameters.

A path parameter is filled by a parent resource, found in this order: the listing at the path
before it (`/workspaces` for `/workspaces/{sid}/workers`); a listing named like what the parameter
names (`me_playlists` for `{playlist_id}`: its `id`); one whose list or records' schema is that
(`new_releases`, whose `albums.items` are albums); one whose records carry it (`me_albums`' records
hold an `album` with an `id`). Of several alike, the one nearest the top, and never a listing of
the same records nested under another candidate (`related_artists` of `following`): it would
only add requests. The other parameters of the path come from the same parent's records
(`tasks`' `workspace_sid`), or, where the parent had them from its own parent, are passed down
with dlt's `include_from_parent`. A required query parameter is filled by a parent the same way,
or by a value the document allows; a required header is left to the client (build.py).

A parameter that takes a number (its type, a digits-only `pattern`) is filled only by a field
that holds one; where the listing at the path before it carries none (PokéAPI's `{pokemon_id}`
beside records of `name` and `url`), the child is bound to it all the same and written commented
out, with why.

Listings are bound in rounds, parents before children, so lineage is never circular; a listing
waits for its best parent while that parent can still be bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from rest_assets.scaffold.document import Document, Param
from rest_assets.scaffold.keys import IDENTIFYING_WORDS, field_named_by, shape
from rest_assets.scaffold.listings import ListEndpoint
from rest_assets.scaffold.words import has_braces, is_field_name, norm, singular, words

# Query parameters that carry the credential itself: the auth sends it, the resources do not.
CREDENTIAL_PARAMS = {"token", "accesstoken", "apikey", "key", "authorization"}
# Query parameters that shape an answer, whatever resource their name sounds like.
GENERIC_PARAMS = {"filter", "query", "sort", "type", "status", "search", "field", "order", "expand", "include",
                  "format", "view", "fields", "state", "kind", "q"}
# A pattern of digits only: `^\d+$`, `[0-9]+`, `^\d{1,10}$`.
DIGITS_PATTERN = re.compile(r"\^?(\\d|\[0-9\])([+*]|\{\d+(,\d*)?\})?\$?")
WAIT = "its best parent is not bound yet"


@dataclass
class Binding:
    """How a parent fills a child: each parameter from a field of the parent's records."""

    parent: ListEndpoint
    fields: dict[str, str] = field(default_factory=dict)  # parameter -> the parent's field
    passed_down: list[str] = field(default_factory=list)  # fields the parent takes from its own parent
    misfit: str = ""  # why the field bound does not fit the parameter: the child is written commented out

    def placeholder(self, param: str) -> str:
        return f"{{resources.{self.parent.name}.{self.fields[param]}}}"


def link_children(doc: Document, endpoints: list[ListEndpoint]) -> tuple[list[ListEndpoint], list[tuple[str, str]]]:
    """The listings that can be requested, parents first, each with its parent; and the others with why.

    A listing waits for its best parent to be bound, if that parent can be bound at all; when no
    listing can bind that way (parents that would wait for each other), the next round takes the
    best parent already bound.
    """
    bindable = _bindable(doc, endpoints)
    bound: list[ListEndpoint] = []
    pending = list(endpoints)
    patient = True
    while pending:
        waiting = [e for e in pending if e in bindable] if patient else []
        newly = [e for e in pending if _bind(doc, e, list(bound), waiting) is None]
        bound += newly
        pending = [e for e in pending if e not in newly]
        if not newly and not patient:
            break
        patient = bool(newly)
    skipped = [(e.op.path, _why_not(doc, e, bound, pending)) for e in pending]
    return bound, skipped


def _bindable(doc: Document, endpoints: list[ListEndpoint]) -> list[ListEndpoint]:
    """The listings that some parent, or none, can fill: whatever the order, they are bound in the end."""
    found: list[ListEndpoint] = []
    while newly := [e for e in endpoints if e not in found and _bind(doc, e, found, commit=False) is None]:
        found += newly
    return found


def _why_not(doc: Document, endpoint: ListEndpoint, bound: list[ListEndpoint], pending: list[ListEndpoint]) -> str:
    blocked = next((other for other in pending if other is not endpoint and _bind(
        doc, endpoint, [*bound, other], commit=False) is None), None)
    if blocked is not None:
        return f"its parent would be {blocked.name}, which is not generated either"
    return _bind(doc, endpoint, bound, commit=False) or "its parents could not be told apart"


def _bind(doc: Document, endpoint: ListEndpoint, ready: list[ListEndpoint], waiting: Sequence[ListEndpoint] = (),
          commit: bool = True) -> str | None:
    """Fill the endpoint's parameters from a parent among `ready`; why not, if they cannot be.

    With `waiting` (listings not bound yet), a listing whose best parent is among them waits.
    """
    binding = None
    path = endpoint.op.path
    if has_braces(re.sub(r"\{[^{}]+\}", "", path)):
        return "its path holds braces that are not parameters (dlt would read them as placeholders)"
    if endpoint.op.path_params:
        binding = _path_binding(doc, endpoint, ready, waiting)
        if isinstance(binding, str):
            return binding
        for param in endpoint.op.path_params:
            path = path.replace(f"{{{param}}}", binding.placeholder(param))
    params: dict[str, object] = {}
    headers: dict[str, object] = {}
    notes: list[str] = []
    for param in endpoint.op.params:
        why = _fill_required(doc, endpoint, param, ready, binding, Filled(params, headers, notes))
        if isinstance(why, Binding):
            binding = why
        elif why:
            return why
    if commit:
        endpoint.path, endpoint.params, endpoint.headers_needed = path, params, headers
        endpoint.notes += notes
        if binding is not None:
            endpoint.parent, endpoint.filled = binding.parent, dict(binding.fields)
            endpoint.passed_down, endpoint.disabled = list(binding.passed_down), binding.misfit
    return None


@dataclass
class Filled:
    """What a listing's required parameters take: query values, headers (None: the user's to give), notes."""

    params: dict[str, object]
    headers: dict[str, object]
    notes: list[str]


def _fill_required(doc: Document, endpoint: ListEndpoint, param: Param, ready: list[ListEndpoint],
                   binding: Binding | None, filled: Filled) -> Binding | str | None:
    """A required parameter's value, from a parent or the document; a new binding, or why not."""
    if param.key in CREDENTIAL_PARAMS:
        return None  # the credential: the auth sends it
    if param.location == "header" and param.required and not has_braces(param.name):
        filled.headers[param.name] = param.choices[0] if param.choices else None
        return None
    if param.location in ("header", "cookie") and param.required and not param.choices:
        return f"it needs the {param.location} {param.name}, which the document does not fill"
    if param.location != "query" or not param.required:
        return None
    if has_braces(param.name):
        return f"it needs ?{param.name}, a name with braces dlt would read as a placeholder"
    named = listing_named_by(doc, param.name, endpoint, ready)
    if named is not None and (binding is None or named.parent is binding.parent):
        filled.params[param.name] = named.placeholder(param.name)
        return named if binding is None else None
    if named is not None:
        return (f"it needs ?{param.name} from {named.parent.name} besides what {binding.parent.name} fills: "
                "a dlt resource has one parent")
    if choices := [c for c in param.choices if not has_braces(str(c))]:
        filled.params[param.name] = choices[0]
        if len(param.choices) > 1:
            others = ", ".join(str(c) for c in param.choices if c != choices[0])
            filled.notes.append(f"?{param.name}: {choices[0]!s}, the first of the values the document allows (also "
                         f"{others}); a resource per value needs a copy of this one with another name.")
        return None
    return f"it needs ?{param.name}, which no listed record provides"


def _path_binding(doc: Document, endpoint: ListEndpoint, ready: list[ListEndpoint],
                  waiting: list[ListEndpoint]) -> Binding | str:
    """The parent that fills every path parameter: the best for the last one whose records also fill the others."""
    *others, last = endpoint.op.path_params
    candidates = sorted((rank, parent.depth, len(parent.op.path), i, parent, found)
                        for i, parent in enumerate([*ready, *waiting]) if parent is not endpoint
                        for rank, found in [_fills(doc, endpoint, last, parent)] if found)
    # A listing of the same records under one of them (`related_artists` of `following`) adds only requests.
    chosen = {c[4] for c in candidates}
    candidates = [c for c in candidates if not chosen.intersection(c[4].ancestors())]
    misfit = ""
    if not candidates:
        if (nearest := _misfit(doc, endpoint, last, [*ready, *waiting])) is None:
            return f"nothing lists the records that {{{last}}} names"
        parent, found, misfit = nearest
        candidates = [(3, parent.depth, 0, 0, parent, found)]
    for *_, parent, found in candidates:
        binding = Binding(parent, {last: found}, misfit=misfit)
        missing = next((p for p in others if not _fill_from(doc, binding, p, _head(endpoint.op.path, p))), None)
        if missing is None:
            return WAIT if parent in waiting else binding
    return f"{candidates[0][4].name}'s records have no field for {{{missing}}}"


def _fills(doc: Document, endpoint: ListEndpoint, param: str, parent: ListEndpoint) -> tuple[int, str | None]:
    """How well a parent's records fill a path parameter, and the field that does.

    0: the listing at the path before the parameter; 1: one named like what the parameter names
    (`artist_albums` for an album id); 2: one whose list or records' schema is (`new_releases`' albums);
    3: one whose records carry it (`me_albums`' `album.id`).
    """
    head = _head(endpoint.op.path, param)
    nouns = param_nouns(param, head)
    ranks = [rank for rank, named in ((0, shape(parent.op.path) == shape(head)), (1, nouns & parent.nouns(0)),
                                      (2, nouns & parent.nouns(1))) if named]
    if ranks and (own := _own_field(doc, parent, param)) and _fits(doc, endpoint, param, parent, own):
        return ranks[0], own
    found = carried_field(doc, parent, param, nouns)
    return 3, found if found and _fits(doc, endpoint, param, parent, found) else None


def _misfit(doc: Document, endpoint: ListEndpoint, param: str,
            listings: list[ListEndpoint]) -> tuple[ListEndpoint, str, str] | None:
    """The listing at the path before a parameter whose records' field does not fit it (a name where digits are
    taken): the parent, its field and why the child is written commented out; None if there is none."""
    head = _head(endpoint.op.path, param)
    parent = next((p for p in listings if p is not endpoint and shape(p.op.path) == shape(head)), None)
    found = _own_field(doc, parent, param) if parent is not None else None
    taken = _takes_digits(_path_param(endpoint, param))
    if found is None or taken is None:
        return None
    kind = doc.kind(_field_schema(doc, parent.item, found) or {})[0]
    return parent, found, (
        f"Commented out: {{{param}}} takes {taken}, and {parent.name}'s records carry no field that fits "
        f"(`{found}` is {'text' if kind == 'string' else kind}); dlt fills a path with a parent's field as it is. "
        "Fill it from a field that holds what it takes, then uncomment.")


def _fits(doc: Document, endpoint: ListEndpoint, param: str, parent: ListEndpoint, found: str) -> bool:
    """Whether a parent's field can fill a path parameter: one that takes digits (its type, its pattern) takes a number."""
    if _takes_digits(_path_param(endpoint, param)) is None:
        return True
    schema = _field_schema(doc, parent.item, found)
    return schema is None or _holds_digits(doc, schema)


def _takes_digits(param: Param | None) -> str | None:
    """What says a parameter takes a number, in words (`an integer`, `digits (pattern ^\\d+$)`); None if nothing does."""
    schema = param.schema if param is not None else {}
    if schema.get("type") in ("integer", "number"):
        return f"an {schema['type']}"
    pattern = schema.get("pattern")
    return f"digits (its pattern {pattern})" if isinstance(pattern, str) and DIGITS_PATTERN.fullmatch(pattern) else None


def _holds_digits(doc: Document, schema: dict) -> bool:
    """Whether a field holds numbers, as far as the document says (a field it does not describe may)."""
    kind, fmt = doc.kind(schema)
    pattern = doc.schema(schema).get("pattern")
    return kind in (None, "integer", "number") or fmt in ("int32", "int64") or (
        isinstance(pattern, str) and DIGITS_PATTERN.fullmatch(pattern) is not None)


def _path_param(endpoint: ListEndpoint, name: str) -> Param | None:
    return next((p for p in endpoint.op.params if p.location == "path" and p.name == name), None)


def _field_schema(doc: Document, item: dict, path: str) -> dict | None:
    """The schema of a field of the records by its dotted path (`album.id`); None where the document has none."""
    schema: dict | None = item
    for part in path.split("."):
        schema = doc.properties(schema).get(part) if schema is not None else None
    return schema


def _own_field(doc: Document, parent: ListEndpoint, param: str) -> str | None:
    """The field of a record that identifies it, as the parameter names it."""
    if found := field_named_by(doc, parent.item, param):
        return found
    return parent.primary_key[0] if len(parent.primary_key) == 1 else None


def carried_field(doc: Document, parent: ListEndpoint, param: str, nouns: set[str]) -> str | None:
    """A field of the parent's records that names another record: `workspace_sid`, `projectSlug`, `album.id`."""
    key = ("carried", param, frozenset(nouns))
    if key not in parent.memo:
        parent.memo[key] = _carried_field(doc, parent, param, nouns)
    return parent.memo[key]


def _carried_field(doc: Document, parent: ListEndpoint, param: str, nouns: set[str]) -> str | None:
    said = words(param)
    identifying = [w for w in reversed(said) if w in IDENTIFYING_WORDS] or ["id"]
    if len(identifying) < len(said) and (found := doc.property_named(parent.item, param)):
        return found  # named after the record it names, not a bare `{id}`
    for name, schema in doc.properties(parent.item).items():
        if not is_field_name(name):
            continue
        if doc.is_scalar(schema) and any(norm(name) == noun + word for noun in nouns for word in identifying):
            return name
        if doc.kind(schema)[0] == "object" and norm(singular(name)) in nouns:
            inner = next((doc.property_named(schema, w) for w in identifying if doc.property_named(schema, w)), None)
            if inner and "." not in name:
                return f"{name}.{inner}"
    return None


def _fill_from(doc: Document, binding: Binding, param: str, head: str) -> bool:
    """Fill another path parameter from the same parent: a field of its records, or one it had from its own parent."""
    parent = binding.parent
    if found := carried_field(doc, parent, param, param_nouns(param, head)):
        binding.fields[param] = found
        return True
    given = next((f for p, f in parent.filled.items() if norm(p) == norm(param)), None)
    if parent.parent is None or given is None or "." in given:
        return False
    binding.passed_down.append(given)
    binding.fields[param] = f"_{parent.parent.name}_{given}"  # dlt's name for a field included from the parent
    return True


def _head(path: str, param: str) -> str:
    """The path before a parameter: `/albums/` for `{id}` in `/albums/{id}/tracks`."""
    return path[: path.index(f"{{{param}}}")]


def param_nouns(param: str, head: str) -> set[str]:
    """What a parameter names: `{playlist_id}` a playlist, `{parent_goal_gid}` a goal, `{id}` after `/albums` an album."""
    said = words(param)
    identified = bool(said) and said[-1] in IDENTIFYING_WORDS
    while said and said[-1] in (*IDENTIFYING_WORDS, "or"):
        said.pop()
    if said:  # its own words: the whole of them, and the last one where an id-like word followed
        return {norm(singular("_".join(said)))} | ({norm(singular(said[-1]))} if identified else set())
    segments = [s for s in head.split("/") if s and not s.startswith("{")]
    return {norm(singular(segments[-1].split(".")[-1]))} - {""} if segments else set()


def listing_named_by(doc: Document, param: str, endpoint: ListEndpoint, listings: list[ListEndpoint]) -> Binding | None:
    """The listed resource whose records a query parameter names: by its key (`organizationId`) or its noun (`channel`)."""
    key = norm(param)
    for other in listings:
        pk = other.primary_key
        if other is not endpoint and len(pk) == 1 and norm(pk[0]) == key and norm(pk[0]) not in ("id", "gid", "sid"):
            return Binding(other, {param: pk[0]})
    nouns = param_nouns(param, "") - GENERIC_PARAMS
    unrelated = [o for o in listings if o is not endpoint and o not in endpoint.ancestors() and endpoint not in o.ancestors()]
    for strength in (0, 1):  # named like the records (`organizations`) before merely holding them (`stats` of projects)
        for other in sorted(unrelated, key=lambda e: (e.depth, len(e.name))):
            if nouns & other.nouns(strength) and (found := _own_field(doc, other, param)):
                return Binding(other, {param: found})
    return None
