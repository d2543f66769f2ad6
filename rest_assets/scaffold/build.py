"""From a document to the defs.yaml as data: what is inferred (`infer`), then the declaration (`declaration`).

`infer` finds the listings (listings.py), names them, gives each its key (keys.py), its parent
(lineage.py) and its paginator (paging.py), with the user's options over what the document
says (options.py). `declaration` writes them as dlt's config with comments: what every resource
shares in `resource_defaults`, each resource's own settings, column hints, and comments where
the document leaves something open. `disabled` resources are written commented out, with why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from rest_assets import COMPONENT_TYPE
from rest_assets.scaffold.client import base_url, env_prefix, env_template, infer_auth
from rest_assets.scaffold.document import Document, OpenApiError, Operation, operations
from rest_assets.scaffold.keys import detail_params, infer_primary_key, shape
from rest_assets.scaffold.lineage import link_children, listing_named_by
from rest_assets.scaffold.listings import ListEndpoint, find_records, name_resources
from rest_assets.scaffold.options import Options
from rest_assets.scaffold.paging import infer_paginator, page_alike
from rest_assets.scaffold.words import norm, one_line, singular, without_format, words
from rest_assets.scaffold.yaml_writer import Commented, Disabled

# dlt data types a schema states beyond doubt; everything else is left to dlt's inference.
OBVIOUS_TYPES = {("integer", None): "bigint", ("boolean", None): "bool",
                 ("string", "date-time"): "timestamp", ("string", "date"): "date"}
LOWER_BOUND_WORDS = {"since", "after", "start", "from", "min", "gte", "oldest", "begin"}
UPPER_BOUND_WORDS = {"end", "before", "until", "to", "max", "lte", "latest"}
GENERIC_WORDS = {"at", "date", "time", "on", "datetime", "timestamp", "ts"}
KEYLESS_NOTE = ("No primary key: the document shows no field that identifies a record{hint}. Kept without one: "
                "each run replaces the whole table (dlt's `replace`), so a record the API stops listing simply "
                "goes, with no `_deleted_at`, no deletion count and no mass-deletion guard, and there is no key "
                "check; made incremental, it would append, and a record listed again would be a second row. "
                "Set primary_key to merge on it and track deletions.")

PLACEHOLDER_NOTE = ("A placeholder: the document has no listing this generator could read (see above). Replace it "
                    "with the API's resources (README, \"Adding an API\"); the file loads meanwhile.")


@dataclass
class Inference:
    """What the document says of an API, with the user's options applied."""

    endpoints: list[ListEndpoint]  # parents first
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why) of listings left out
    single_objects: list[str] = field(default_factory=list)  # paths of GETs answering one object
    record_paths: int = 0  # GETs of one record by its own path


def infer(doc: Document, options: Options) -> Inference:
    """The listings to generate, each with its name, key, parent and paginator; and what was left out."""
    result = Inference([])
    ops = list(operations(doc))
    found = _listings(doc, ops, options, result)
    name_resources(found)
    _check_names(options, found)
    details = detail_params([op.path for op in ops])
    for endpoint in found:
        _set_primary_key(doc, endpoint, details.get(shape(endpoint.op.path)), options)
    bound, skipped = link_children(doc, found)
    result.skipped += skipped
    kept = _selected(bound, options, result.skipped)
    for endpoint in kept:
        infer_paginator(doc, endpoint)
    page_alike(kept)
    for endpoint in kept:
        _apply_paginator_option(endpoint, options)
    result.endpoints = kept
    return result


def _listings(doc: Document, ops: list[Operation], options: Options, result: Inference) -> list[ListEndpoint]:
    """The GETs that list records; the others counted in the result, with why where they could have."""
    found = []
    for op in ops:
        if re.fullmatch(r"\{[^}]+\}", without_format(op.path).rsplit("/", 1)[-1]):
            result.record_paths += 1
        elif options.excludes(op):
            result.skipped.append((op.path, "excluded (--exclude)"))
        elif isinstance(records := find_records(doc, op.response), str):
            result.skipped.append((op.path, records))
        elif records is None:
            result.single_objects.append(op.path)
        else:
            found.append(ListEndpoint(op, records))
    return found


def _check_names(options: Options, endpoints: list[ListEndpoint]) -> None:
    names = {e.name for e in endpoints}
    if unknown := sorted(options.resources_named() - names):
        raise OpenApiError(f"the options name {', '.join(unknown)}, not a resource of this document "
                           f"(its resources: {', '.join(sorted(names)) or 'none'})")


def _set_primary_key(doc: Document, endpoint: ListEndpoint, detail: str | None, options: Options) -> None:
    given = options.primary_keys.get(endpoint.name)
    shared = options.primary_keys.get(None)
    fields = doc.properties(endpoint.item)
    if given is None and shared and (not fields or all(doc.property_named(endpoint.item, f) for f in shared)):
        given = shared
    if given:
        endpoint.primary_key = given
        endpoint.key_notes.append("Key from --primary-key.")
        return
    endpoint.primary_key, note = infer_primary_key(doc, endpoint, detail)
    endpoint.key_notes.append(note)


def _selected(endpoints: list[ListEndpoint], options: Options, skipped: list[tuple[str, str]]) -> list[ListEndpoint]:
    """The listings --include names with their parents (all of them, without it), parents first."""
    kept = [e for e in endpoints if options.selects(e.op)]
    for endpoint in list(kept):
        kept += [a for a in endpoint.ancestors() if a not in kept]
    skipped += [(e.op.path, "not included (--include)") for e in endpoints if e not in kept]
    return [e for e in endpoints if e in kept]  # in `link_children`'s order: parents first


def _apply_paginator_option(endpoint: ListEndpoint, options: Options) -> None:
    own = options.paginators.get(endpoint.name)
    silent = endpoint.paginator == "single_page" and None in options.paginators
    if own is None and not silent:
        return
    endpoint.paginator = _commented(own if own is not None else options.paginators[None])
    endpoint.paginator_notes = ["Paginator from --paginator" + ("." if own is not None else
                                                               ": the document shows no paging here.")]


def _commented(value: Any) -> Any:
    return Commented(value) if isinstance(value, dict) else value


# --- the declaration ---------------------------------------------------------------------------------


def declaration(doc: Document, name: str, origin: str | None, inference: Inference,
                disabled: Mapping[str, str] | None = None) -> Commented:
    """The defs.yaml as data: `{type, attributes}` with comments."""
    prefix = env_prefix(name)
    url, url_notes = base_url(doc)
    client = Commented(base_url=env_template(f"{prefix}_BASE_URL", url))
    client.note("base_url", *url_notes)
    auth, auth_notes = infer_auth(doc, prefix, url)
    if auth is not None:
        client["auth"] = auth
    client.note("auth" if auth is not None else "base_url", *auth_notes)
    if headers := _required_headers(inference.endpoints, prefix):
        client["headers"] = headers
        client.note("headers", "Headers the API's requests require. A value the document does not give is read from "
                    "the env var named here when a run starts (<header>_env: ENV_VAR): set it.")

    attributes = Commented(name=name)
    if description := _api_description(doc):
        attributes["description"] = description
    attributes["client"] = client
    attributes.note("client", "dlt's rest_api config. A secret is named, never written: <key>_env: ENV_VAR.")
    defaults, resources = _resources(doc, inference.endpoints, dict(disabled or {}))
    if defaults:
        attributes["resource_defaults"] = defaults
    attributes["resources"] = resources
    attributes.note("resources", "One asset per resource; a child names its parent: {resources.<parent>.<field>}.")
    root = Commented(type=COMPONENT_TYPE, attributes=attributes)
    root.note("type", *_header(doc, name, origin, inference))
    return root


def _required_headers(endpoints: list[ListEndpoint], prefix: str) -> Commented:
    """Every header a listing requires: its value where the document gives one, else named as an env var."""
    headers = Commented()
    for endpoint in endpoints:
        for name, value in endpoint.headers_needed.items():
            if value is None:
                variable = re.sub(r"[^A-Z0-9]", "_", name.upper())
                headers.setdefault(f"{name}_env", variable if variable.startswith(f"{prefix}_") else f"{prefix}_{variable}")
            else:
                headers.setdefault(name, value)
    return headers


def _api_description(doc: Document) -> str:
    info = doc.raw.get("info") if isinstance(doc.raw.get("info"), dict) else {}
    title = one_line(info.get("title"))
    summary = one_line(info.get("description")).split(". ")[0].rstrip(".")
    if summary and summary != title:
        title = f"{title}: {summary}" if title else summary
    return title[:300]


def _header(doc: Document, name: str, origin: str | None, inference: Inference) -> list[str]:
    info = doc.raw.get("info") if isinstance(doc.raw.get("info"), dict) else {}
    version = f"Swagger {doc.raw.get('swagger')}" if doc.swagger2 else f"OpenAPI {doc.raw.get('openapi')}"
    lines = [
        f"{name}: generated from the OpenAPI document {one_line(origin)} "
        f"({one_line(info.get('title')) or 'untitled'} {one_line(info.get('version'))}; {one_line(version)}).",
        "Review the comments: they say what the document left open. README: \"From an OpenAPI document\".",
    ]
    if inference.skipped:
        lines.append(f"Not generated: {_count(inference.skipped, 'listing')} (no list of records to land, or a "
                     "parameter nothing can fill):")
        lines += [f"  GET {one_line(path)}: {why}" for path, why in inference.skipped]
    if inference.single_objects:
        lines.append(f"Not generated: {_count(inference.single_objects, 'GET')} answering one object, not a list: "
                     + ", ".join(one_line(p) for p in inference.single_objects) + ".")
    if inference.record_paths:
        lines.append(f"Not generated: {_count(range(inference.record_paths), 'GET')} of one record by its own path "
                     "(the listings above read every record).")
    return lines


def _count(things: Any, noun: str) -> str:
    return f"{len(things)} {noun}{'' if len(things) == 1 else 's'}"


def _resources(doc: Document, endpoints: list[ListEndpoint], disabled: dict[str, str]) -> tuple[Commented, list]:
    """resource_defaults (what every resource shares) and the resources, long form."""
    enabled = [e for e in endpoints if not _disabled_reason(e, disabled)]
    shared = _shared(endpoints)
    resources: list = []
    for endpoint in endpoints:
        resource = _resource(doc, endpoint, shared, enabled)
        reason = _disabled_reason(endpoint, disabled)
        resources.append(Disabled(resource, reason) if reason else resource)
    if not enabled:  # a file that loads all the same, with a clearly marked placeholder
        resources.append(Commented(name="items", endpoint={"path": "/items"}).note("name", PLACEHOLDER_NOTE))
    return shared, resources


def _disabled_reason(endpoint: ListEndpoint, disabled: Mapping[str, str]) -> str | None:
    """Why a resource is written commented out: the check's reason, the inference's, or its parent's."""
    if why := disabled.get(endpoint.name) or endpoint.disabled:
        return why
    parent = next((a for a in endpoint.ancestors() if a.name in disabled or a.disabled), None)
    return f"Commented out with its parent {parent.name}." if parent is not None else None


def _shared(endpoints: list[ListEndpoint]) -> Commented:
    """What every resource has alike: key, data_selector, paginator and page size."""
    shared = Commented()
    keys = {e.primary_key for e in endpoints}
    if len(keys) == 1 and (key := keys.pop()):
        shared["primary_key"] = key[0] if len(key) == 1 else list(key)
    spec = Commented()
    selectors = {e.selector for e in endpoints}
    if len(selectors) == 1 and None not in selectors and len(endpoints) > 1:
        spec["data_selector"] = selectors.pop()
    paginators = {json.dumps(e.paginator, sort_keys=True) for e in endpoints}
    if len(paginators) == 1 and len(endpoints) > 1:
        spec["paginator"] = endpoints[0].paginator
        spec.note("paginator", *dict.fromkeys(n for e in endpoints for n in e.paginator_notes))
        # The page size goes with the paginator: shared when both are (a size without a paginator would mislead).
        sizes = {json.dumps(e.page_size, sort_keys=True) for e in endpoints}
        if len(sizes) == 1 and endpoints[0].page_size:
            spec["params"] = dict(endpoints[0].page_size)
        spec.note("params" if "params" in spec else "paginator",
                  *dict.fromkeys(n for e in endpoints for n in e.page_size_notes))
    if spec:
        shared["endpoint"] = spec
    return shared


def _resource(doc: Document, endpoint: ListEndpoint, shared: Commented, enabled: list[ListEndpoint]) -> Commented:
    resource = Commented(name=endpoint.name)
    if endpoint.primary_key and "primary_key" not in shared:
        resource["primary_key"] = endpoint.primary_key[0] if len(endpoint.primary_key) == 1 else list(
            endpoint.primary_key)
    resource["endpoint"] = _endpoint_spec(endpoint, shared.get("endpoint") or {})
    includes = [f for child in enabled if child.parent is endpoint for f in child.passed_down]
    if includes:
        resource["include_from_parent"] = list(dict.fromkeys(includes))
        resource.note("include_from_parent", "Fields of its parent's records that its children's paths need.")
    if columns := _columns(doc, endpoint.item):
        resource["columns"] = columns
    resource.note("name", *_resource_notes(doc, endpoint, enabled))
    return resource


def _endpoint_spec(endpoint: ListEndpoint, shared: Mapping[str, Any]) -> Commented:
    spec = Commented(path=endpoint.path)
    if endpoint.selector and "data_selector" not in shared:
        spec["data_selector"] = endpoint.selector
    params = dict(endpoint.params)
    if shared.get("paginator") != endpoint.paginator or "paginator" not in shared:
        params.update(endpoint.page_size)
        spec["paginator"] = endpoint.paginator
        spec.note("paginator", *endpoint.paginator_notes)
        spec.note("params" if endpoint.page_size else "paginator", *endpoint.page_size_notes)
    elif "params" not in shared:
        params.update(endpoint.page_size)
    if params:
        spec["params"] = params
    return spec


def _resource_notes(doc: Document, endpoint: ListEndpoint, enabled: list[ListEndpoint]) -> list[str]:
    notes = []
    if endpoint.op.summary:
        notes.append(f"GET {endpoint.op.path}: {endpoint.op.summary}"[:200])
    if endpoint.parent is not None:
        notes.append(f"A child of {endpoint.parent.name}: one request per {endpoint.parent.name} record.")
    notes += endpoint.key_notes
    if not endpoint.primary_key:
        notes.append(KEYLESS_NOTE.format(hint=_key_hint(doc, endpoint)))
    notes += endpoint.notes + _incremental_notes(doc, endpoint) + _child_hints(doc, endpoint, enabled)
    return notes


def _key_hint(doc: Document, endpoint: ListEndpoint) -> str:
    """Where the records hold another record's id: the key is likely that one's (`track.id` of a saved track)."""
    nouns = endpoint.nouns()
    for field_name, schema in doc.properties(endpoint.item).items():
        if norm(singular(field_name)) in nouns and doc.kind(schema)[0] == "object" and (
                inner := doc.property_named(schema, "id")):
            return (f" (each holds a `{field_name}` with an `{inner}`: its key may be that, a column dlt names "
                    f"{field_name}__{inner})")
    return ""


def _child_hints(doc: Document, endpoint: ListEndpoint, enabled: list[ListEndpoint]) -> list[str]:
    """Optional query parameters that a resource in this file could fill: a child, if the user wants."""
    hints = []
    for param in endpoint.op.query.values():
        if param.required or param.name in endpoint.params:
            continue
        named = listing_named_by(doc, param.name, endpoint, enabled)
        if named is not None and named.parent is not endpoint:
            hints.append(f"?{param.name} could take each {named.parent.name} record's {named.fields[param.name]} "
                         f"(\"{named.placeholder(param.name)}\"): a child of {named.parent.name}.")
    return hints


def _columns(doc: Document, item: dict) -> Commented:
    columns = Commented()
    for name, schema in doc.properties(item).items():
        hint: dict[str, Any] = {}
        resolved = doc.schema(schema)
        if description := one_line(resolved.get("description") or (schema or {}).get("description")):
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
        said = set(words(param.name))
        fmt = param.schema.get("format")
        moment = fmt in ("date", "date-time") or bool(said & {"modified", "updated", "since", "changed"})
        if not moment or not (said & LOWER_BOUND_WORDS or {"modified", "updated", "changed"} & said) \
                or said & UPPER_BOUND_WORDS:
            continue
        stem = said - LOWER_BOUND_WORDS - GENERIC_WORDS
        matches = [p for p in properties if stem & set(words(p))]
        fmt_note = f"it takes a {fmt}" if fmt else "the document does not say in which format it takes a moment"
        if len(matches) == 1:
            notes.append(f"Incremental candidate: ?{param.name} ({fmt_note}) filters on `{matches[0]}`: "
                         f"endpoint.incremental: {{cursor_path: {matches[0]}, start_param: {param.name}}}, "
                         "with start_date_env or initial_value.")
        else:
            notes.append(f"Incremental candidate: ?{param.name} ({fmt_note}); the document does not say which "
                         "field it filters on.")
    return notes
