"""Turn a RestApi into a dlt source."""

from __future__ import annotations

import copy
import re
from typing import Any, Callable, Mapping
from urllib.parse import quote

from dlt.common import jsonpath
from dlt.extract.source import DltSource
from dlt.sources.rest_api import rest_api_source
from dlt.sources.rest_api.config_setup import create_paginator
from dlt.sources.rest_api.typing import EndpointResource
from requests import Session

from rest_assets.engine import vocabulary
from rest_assets.engine.auth import Credentials, build_auth, token_urls
from rest_assets.engine.errors import UnsafePathValue
from rest_assets.engine.http import HttpPolicy, RequestStats, api_session
from rest_assets.engine.incremental import with_start_date
from rest_assets.engine.paginators import DetectedPaginator, PageGuard
from rest_assets.engine.plan import SyncPlan
from rest_assets.engine.declaration import Endpoint, RestApi

_SEGMENT_PREFIX = "_path_segment__"


def build_source(
    api: RestApi, credentials: Credentials, stats: RequestStats | None = None, plan: SyncPlan | None = None,
    policy: HttpPolicy | None = None,
) -> DltSource:
    """The API's dlt rest_api source, ready to extract with `credentials`, written as `plan` says.

    `policy`: the HTTP policy of the run (read once when it starts), by default the API's now.
    """
    policy = policy or api.policy
    client = run_client(api, credentials)
    session = api_session(policy, trusted_urls(api, client), stats)
    resources = [_run_config(endpoint, policy, client.get("paginator"), session, credentials)
                 for endpoint in api.endpoints.values()]
    resources = with_start_date(resources, credentials.start_date)
    if plan is not None:
        resources = plan.with_cursor_starts(resources)
    source = rest_api_source(
        {
            "client": {**client, "auth": build_auth(client.get("auth"), session), "session": session},
            "resources": resources,  # resource_defaults are merged into each already
        },
        name=api.name,
    )
    _parallelize_top_level(source)
    if plan is not None:
        plan.apply(source)
    for endpoint in api.endpoints.values():
        if fields := _path_fields(endpoint):
            # Before the child's own generator (a public dlt step position for transformers), on copies
            # of the parent's records: the parent's table never sees the extra keys.
            source.resources[endpoint.name].add_map(_add_path_segments(fields), insert_at=0)
    return source


def run_client(api: RestApi, credentials: Credentials) -> dict[str, Any]:
    """dlt's `client` config for a run: the run's secrets filled in, objects imported."""
    return vocabulary.with_secrets(vocabulary.with_objects(api.dlt_config), credentials.secrets)["client"]


def trusted_urls(api: RestApi, client: Mapping[str, Any]) -> list[str]:
    """The URLs whose origins may receive the API's credentials: its base URL and its token URLs."""
    auths = [client.get("auth")] + [e.config["endpoint"].get("auth") for e in api.endpoints.values()]
    return [api.base_url, *(url for auth in auths for url in token_urls(auth))]


def _parallelize_top_level(source: DltSource) -> None:
    """Extract top-level resources in dlt's worker threads too.

    rest_api honours `parallelized` only for child resources: every top-level
    resource's requests ran one after another on the main thread.
    """
    for resource in source.resources.values():
        if not resource.is_transformer:
            resource.parallelize()


def _run_config(
    endpoint: Endpoint, policy: HttpPolicy, client_paginator: Any, session: Session, credentials: Credentials
) -> EndpointResource:
    """A copy of the resource's config for one source, with the engine's guards and the run's secrets in it.

    Each resource gets its own paginator instance (its own, the client's, or dlt's detection of
    one when neither declares any), wrapped in a PageGuard: dlt uses an instance from a config as
    is, so one shared by several resources (through resource_defaults or the client) is paged by
    all of them at once, since dlt extracts resources interleaved, and rows are silently lost.
    Column hints are copies too: dlt writes into them, so one hint dict used for two columns ends
    up describing only the last.
    """
    resource = vocabulary.resource_with_secrets(copy.deepcopy(endpoint.config), credentials.secrets)
    config = resource["endpoint"]
    selector = config.get("data_selector")
    # The whole answer (dlt's reading of a single-record endpoint, `/berry/{name}`) may be one record.
    required_list = None if selector in (None, "$") else jsonpath.compile_path(selector)
    if selector is not None:
        # Compiled once: dlt parses a string selector again for every page, and
        # jsonpath-ng builds its parser on each parse.
        config["data_selector"] = jsonpath.compile_path(selector)
    # As dlt picks it: the endpoint's, else the client's, else detected from the first answer (`auto`).
    paginator = create_paginator(config.get("paginator")) or create_paginator(client_paginator) or DetectedPaginator()
    config["paginator"] = PageGuard(paginator, policy.max_pages, required_list, endpoint.primary_key, endpoint.keys.one_page)
    if "auth" in config:
        config["auth"] = build_auth(config["auth"], session)
    columns = endpoint.declared_columns
    if columns:
        resource["columns"] = {name: dict(hint) for name, hint in columns.items()}
    _encode_path_references(endpoint, config)
    return resource


def _encode_path_references(endpoint: Endpoint, config: dict) -> None:
    """Make the path refer to a percent-encoded copy of each parent value it substitutes.

    dlt puts a parent's value into a child's path as is, so an id "../../admin"
    would make the request go to /admin, and "?" or "#" would cut the path short.
    The path is rewritten to use `_path_segment__<field>`, which a step in front of
    the child adds to its copy of each parent record (query params need nothing:
    requests encodes them).
    """
    for placeholder, field in endpoint.parent_params:
        if f"{{{placeholder}}}" in config["path"]:
            config["path"] = config["path"].replace(
                f"{{{placeholder}}}", f"{{resources.{endpoint.parent}.{_segment_key(field)}}}"
            )
            if isinstance((config.get("params") or {}).get(placeholder), dict):  # a `resolve` param bound in the path
                del config["params"][placeholder]


def _path_fields(endpoint: Endpoint) -> list[str]:
    """The parent fields that the resource's path substitutes."""
    return [field for placeholder, field in endpoint.parent_params if f"{{{placeholder}}}" in endpoint.path]


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
