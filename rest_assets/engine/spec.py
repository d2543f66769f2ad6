"""One REST API as data: its connection, its resources in dlt's `rest_api` vocabulary, how to talk to it.

An API's `defs.yaml` declares a `RestApi` (rest_assets/components). `RestApi.endpoints`
normalizes its resources once, by dlt's own rules (`build_resource_dependency_graph`): each
endpoint in long form with `resource_defaults` merged, and its parent found wherever dlt
accepts a reference to one: `{resources.<parent>.<field>}` in the path, the query params,
the JSON body, form data or headers, or a `resolve` param. Everything else reads that form.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping, Sequence

from dagster import AssetKey
from dlt.common.normalizers.naming.snake_case import NamingConvention
from dlt.sources.rest_api.config_setup import build_resource_dependency_graph, create_paginator
from dlt.sources.rest_api.typing import EndpointResource, EndpointResourceBase

from rest_assets.engine.connections import ApiConnection
from rest_assets.engine.http import HttpPolicy
from rest_assets.engine.paginators import register_paginators

_naming = NamingConvention()
# Every resource merges on its primary key unless its configuration says otherwise, and is
# extracted in parallel with the others (a child: its parents' pages in parallel), within
# the API's HttpPolicy.max_concurrency.
DEFAULT_RESOURCE_HINTS: EndpointResourceBase = {"write_disposition": "merge", "parallelized": True}
# What happens to a row the API stops listing (engine/deletions.py): set per API, or per
# resource with a `deletions` key beside dlt's own keys, which the engine keeps from dlt.
DELETION_MODES = ("soft", "hard", "keep", "history")


@dataclass(frozen=True)
class SyncSchedule:
    """When to sync an API: a cron for all of its resources, or only for some."""

    cron: str
    resources: tuple[str, ...] = ()  # empty: every resource of the API
    timezone: str | None = None  # None: REST_ASSETS_TIMEZONE, else UTC

    def covers(self, resource_name: str) -> bool:
        return not self.resources or resource_name in self.resources


@dataclass(frozen=True)
class Endpoint:
    """One resource of an API, normalized: dlt's config for it, and what the engine derives from it."""

    name: str
    config: EndpointResource  # as dlt takes it: endpoint in long form, resource_defaults merged
    asset_key: AssetKey
    parent: str | None  # the resource whose records this one's requests refer to
    parent_params: tuple[tuple[str, str], ...]  # (placeholder or param name, parent field), as dlt resolves them
    deletions: str
    complete_listing: bool  # a sync reads every row the API has: a row it misses was deleted

    @property
    def table(self) -> str:
        """The table dlt lands the resource in (`time-offs` -> `time_offs`)."""
        return self.asset_key.path[-1]

    @property
    def path(self) -> str:
        return self.config["endpoint"]["path"]

    @property
    def primary_key(self) -> tuple[str, ...]:
        """The API's field names of the primary key (dlt's `primary_key` hint)."""
        key = self.config.get("primary_key") or ()
        return (key,) if isinstance(key, str) else tuple(key)

    @property
    def incremental(self) -> Mapping[str, Any] | None:
        return self.config["endpoint"].get("incremental")

    @property
    def columns(self) -> Mapping[str, Mapping[str, Any]]:
        return self.config.get("columns") or {}

    @property
    def merges(self) -> bool:
        """Whether the table is written with dlt's merge (the engine's default)."""
        disposition = self.config.get("write_disposition")
        return (disposition.get("disposition") if isinstance(disposition, dict) else disposition) == "merge"


@dataclass(frozen=True)
class RestApi:
    """One REST API: its connection, its resources, and how to talk to it."""

    name: str
    description: str
    connection: ApiConnection
    resources: Sequence[EndpointResource]
    resource_defaults: EndpointResourceBase = field(default_factory=dict)
    http: HttpPolicy = field(default_factory=HttpPolicy)
    # Reference data changes slowly: daily by default. Schedules start stopped.
    schedules: Sequence[SyncSchedule] = (SyncSchedule(cron="0 3 * * *"),)
    owners: Sequence[str] = ("team:data-engineering",)
    deletions: str = "soft"

    def __post_init__(self) -> None:
        self.endpoints  # noqa: B018  (a configuration dlt would refuse fails here, when the definitions load)

    @cached_property
    def endpoints(self) -> Mapping[str, Endpoint]:
        """The resources, normalized once, in their declared order."""
        return normalized_endpoints(self)

    @property
    def policy(self) -> HttpPolicy:
        """The HTTP policy in force now: the configured one with the environment's overrides."""
        return self.http.with_env(self.name)

    @property
    def resource_key(self) -> str:
        """The Dagster resource key of this API's connection."""
        return f"{self.name}_api"

    @property
    def resource_names(self) -> list[str]:
        return list(self.endpoints)

    def asset_key(self, resource_name: str) -> AssetKey:
        return self.endpoints[resource_name].asset_key

    def table_name(self, resource_name: str) -> str:
        return self.endpoints[resource_name].table

    @staticmethod
    def column_name(field_name: str) -> str:
        """The column dlt lands a field in (`jobId` -> `job_id`)."""
        return _naming.normalize_identifier(field_name)


def normalized_endpoints(api: RestApi) -> dict[str, Endpoint]:
    defaults, default_deletions = _split_deletions({**DEFAULT_RESOURCE_HINTS, **api.resource_defaults})
    resources, deletions = [], {}
    for resource in api.resources:
        resource, deletions[resource["name"]] = _split_deletions(resource)
        resources.append(resource)
    try:
        graph, configs, resolved = build_resource_dependency_graph(copy.deepcopy(defaults), copy.deepcopy(resources))
    except ValueError as error:
        raise ValueError(f"{api.name}: {error}") from None
    endpoints: dict[str, Endpoint] = {}
    register_paginators()
    for name in graph.static_order():  # parents first
        config = configs[name]
        try:
            create_paginator(config["endpoint"].get("paginator"))
        except ValueError as error:
            raise ValueError(f"{api.name}/{name}: {error}") from None
        params = tuple((p.param_name, p.resolve_config["field"]) for p in resolved[name] or ())
        parent = resolved[name][0].resolve_config["resource"] if resolved[name] else None
        mode = deletions[name] or default_deletions or api.deletions
        if mode not in DELETION_MODES:
            raise ValueError(f"{api.name}/{name}: deletions is {mode!r}; use one of {', '.join(DELETION_MODES)}")
        endpoints[name] = Endpoint(
            name=name,
            config=config,
            asset_key=AssetKey([api.name, _naming.normalize_table_identifier(config.get("table_name") or name)]),
            parent=parent,
            parent_params=params,
            deletions=mode,
            complete_listing=_reads_everything(config) and (parent is None or endpoints[parent].complete_listing),
        )
    return {resource["name"]: endpoints[resource["name"]] for resource in resources}


def _split_deletions(config: Mapping[str, Any]) -> tuple[dict, str | None]:
    """A resource config as dlt takes it, and the engine's `deletions` key kept from dlt."""
    config = dict(config)
    return config, config.pop("deletions", None)


def _reads_everything(config: EndpointResource) -> bool:
    """Not incremental, and no processing step filters rows out."""
    steps = config.get("processing_steps") or []
    return config["endpoint"].get("incremental") is None and not any("filter" in step for step in steps)
