"""Turn a RestApi into a dlt source."""

from __future__ import annotations

import copy
import re
from typing import Any, Callable
from urllib.parse import quote

from dlt.common import jsonpath
from dlt.extract.source import DltSource
from dlt.sources.rest_api import rest_api_source
from dlt.sources.rest_api.config_setup import create_paginator
from dlt.sources.rest_api.typing import EndpointResource

from rest_assets.engine.connections import ApiConnection
from rest_assets.engine.deletions import declared_deletion_columns
from rest_assets.engine.errors import UnsafePathValue
from rest_assets.engine.http import HttpPolicy, RequestStats
from rest_assets.engine.incremental import with_start_date
from rest_assets.engine.paginators import PageGuard
from rest_assets.engine.plan import SyncPlan
from rest_assets.engine.spec import RestApi, without_engine_keys

# `{resources.<parent>.<field>}` in a child's path: the parent's value, substituted raw by dlt.
_PATH_REFERENCE = re.compile(r"\{resources\.([^.}]+)\.([^}]+)\}")
_SEGMENT_PREFIX = "_path_segment__"


def build_source(
    api: RestApi, connection: ApiConnection | None = None, stats: RequestStats | None = None, plan: SyncPlan | None = None
) -> DltSource:
    """The API's dlt rest_api source.

    Without a connection (when the definitions load) the source carries no
    credentials and is only used to describe the assets; with one (at run time)
    it is ready to extract, written as `plan` says.
    """
    policy = api.policy
    session = policy.session(trusted_urls=(connection or api.connection).trusted_urls(), stats=stats)
    resources = _guarded(api, policy)
    if connection is not None:
        resources = with_start_date(resources, connection.start_date)
    if plan is not None:
        resources = plan.with_cursor_starts(resources)
    resources, segment_fields = _with_encoded_path_references(resources)
    source = rest_api_source(
        {
            "client": {
                "base_url": (connection or api.connection).base_url,
                "auth": connection.dlt_auth(session) if connection else None,
                "session": session,
            },
            "resource_defaults": copy.deepcopy(api.dlt_defaults),
            "resources": resources,
        },
        name=api.name,
    )
    _parallelize_top_level(source)
    if plan is not None:
        plan.apply(source)
    for name, fields in segment_fields.items():
        # Before the child's own generator (a public dlt step position for transformers), on copies
        # of the parent's records: the parent's table never sees the extra keys.
        source.resources[name].add_map(_add_path_segments(fields), insert_at=0)
    return source


def _parallelize_top_level(source: DltSource) -> None:
    """Extract top-level resources in dlt's worker threads too.

    rest_api honours `parallelized` only for child resources; measured, every
    top-level resource's requests ran one after another on the main thread.
    """
    for resource in source.resources.values():
        if not resource.is_transformer:
            resource.parallelize()


def _guarded(api: RestApi, policy: HttpPolicy) -> list[EndpointResource]:
    """Copies of the resources as dlt takes them, each with its own paginator wrapped in a PageGuard.

    Each resource gets its own paginator instance: dlt uses an instance from a
    config as is, so one shared by several resources (through resource_defaults,
    or one object in two configs) is paged by all of them at once, since dlt
    extracts resources interleaved, and rows are silently lost. Column hints are
    copied too: dlt writes into them, so one hint dict used for two columns ends
    up describing only the last.
    """
    default_endpoint = api.defaults.get("endpoint") or {}
    copies = []
    for resource in api.resources:
        resource = without_engine_keys(copy.deepcopy(resource))
        endpoint = resource["endpoint"] = _as_dict(resource.get("endpoint"), resource["name"])
        selector = endpoint.get("data_selector", default_endpoint.get("data_selector"))
        if selector is not None:
            # Compiled once: dlt parses a string selector again for every page, and
            # jsonpath-ng builds its parser on each parse (0.64 ms a page here).
            endpoint["data_selector"] = selector = jsonpath.compile_path(selector)
        paginator = create_paginator(copy.deepcopy(endpoint.get("paginator", default_endpoint.get("paginator"))))
        if paginator is not None:
            endpoint["paginator"] = PageGuard(paginator, policy.max_pages, selector)
        columns = {**(resource.get("columns") or {}), **declared_deletion_columns(api, resource["name"])}
        if columns:
            resource["columns"] = {name: dict(hint) for name, hint in columns.items()}
        copies.append(resource)
    return copies


def _as_dict(endpoint: Any, resource_name: str) -> dict:
    """An endpoint in its long form (dlt's default path is the resource's name)."""
    if endpoint is None or isinstance(endpoint, str):
        return {"path": endpoint or resource_name}
    return endpoint


def _with_encoded_path_references(resources: list[EndpointResource]) -> tuple[list[EndpointResource], dict[str, list[str]]]:
    """Child paths that refer to a percent-encoded copy of each parent value they substitute.

    dlt puts a parent's value into a child's path as is, so an id "../../admin"
    would make the request go to /admin, and "?" or "#" would cut the path short.
    The child's path is rewritten to use `_path_segment__<field>`, which a step
    in front of the child adds to its copy of each parent record.
    """
    segment_fields: dict[str, list[str]] = {}
    for resource in resources:
        endpoint = resource["endpoint"]
        fields = [field for _, field in _PATH_REFERENCE.findall(endpoint.get("path") or "")]
        if fields:
            endpoint["path"] = _PATH_REFERENCE.sub(
                lambda m: f"{{resources.{m.group(1)}.{_segment_key(m.group(2))}}}", endpoint["path"]
            )
            segment_fields[resource["name"]] = fields
    return resources, segment_fields


def _segment_key(field: str) -> str:
    return _SEGMENT_PREFIX + re.sub(r"\W", "_", field)


def _add_path_segments(fields: list[str]) -> Callable[[dict], dict]:
    paths = {field: jsonpath.compile_path(field) for field in fields}

    def add(record: dict) -> dict:
        segments = {}
        for field, path in paths.items():
            values = jsonpath.find_values(path, record)
            segments[_segment_key(field)] = path_segment(values[0] if values else None, f"'{field}'")
        return {**record, **segments}

    return add


def path_segment(value: Any, what: str) -> str:
    """`value` as exactly one URL path segment: every reserved character percent-encoded.

    "", "." and ".." cannot be made safe: requests decodes "%2E" back to ".", and
    a dot segment climbs the path. Such a value fails the run instead.
    """
    text = "" if value is None else str(value)
    if text in ("", ".", ".."):
        raise UnsafePathValue(
            f"a parent record's {what} is {text!r}, which cannot be one segment of a URL path",
            advice="The API returned an unusable id; no request was made for it.",
        )
    return quote(text, safe="")
