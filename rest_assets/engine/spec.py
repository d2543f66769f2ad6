"""The declarative description of one REST API: what an `rest_assets.apis` module defines.

Resources are plain dlt `rest_api` resource configs (the seeds' format, made valid),
so anything dlt's rest_api understands can be said here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from dagster import AssetKey
from dlt.common.normalizers.naming.snake_case import NamingConvention
from dlt.sources.rest_api.typing import EndpointResource, EndpointResourceBase

from rest_assets.engine.connections import ApiConnection
from rest_assets.engine.http import HttpPolicy

_naming = NamingConvention()
# Every resource merges on its primary key unless its configuration says otherwise, and is
# extracted in parallel with the others (a child: its parents' pages in parallel), within
# the API's HttpPolicy.max_concurrency.
DEFAULT_RESOURCE_HINTS: EndpointResourceBase = {"write_disposition": "merge", "parallelized": True}
_PARENT_REF = re.compile(r"\{resources\.([^.}]+)\.")
# What happens to a row the API stops listing (see engine/deletions.py). Set per API, or per
# resource with a `deletions` key beside dlt's own keys (the engine strips it before dlt sees it).
DELETION_MODES = ("soft", "hard", "keep", "history")
ENGINE_RESOURCE_KEYS = ("deletions",)


@dataclass(frozen=True)
class SyncSchedule:
    """When to sync an API: a cron for all of its resources, or only for some."""

    cron: str
    resources: tuple[str, ...] = ()  # empty: every resource of the API
    timezone: str | None = None  # None: REST_ASSETS_TIMEZONE, else UTC

    def covers(self, resource_name: str) -> bool:
        return not self.resources or resource_name in self.resources


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
        for name in self.resource_names:
            if self.deletions_of(name) not in DELETION_MODES:
                raise ValueError(
                    f"{self.name}/{name}: deletions is {self.deletions_of(name)!r}; use one of {', '.join(DELETION_MODES)}"
                )

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
        return [resource["name"] for resource in self.resources]

    def table_name(self, resource_name: str) -> str:
        """The table dlt lands a resource in (`time-offs` -> `time_offs`)."""
        return _naming.normalize_table_identifier(resource_name)

    def column_name(self, field_name: str) -> str:
        """The column dlt lands a field in (`jobId` -> `job_id`)."""
        return _naming.normalize_identifier(field_name)

    def asset_key(self, resource_name: str) -> AssetKey:
        return AssetKey([self.name, self.table_name(resource_name)])

    def resource(self, resource_name: str) -> EndpointResource:
        return next(r for r in self.resources if r["name"] == resource_name)

    @property
    def defaults(self) -> EndpointResourceBase:
        """resource_defaults over the engine's own defaults."""
        return {**DEFAULT_RESOURCE_HINTS, **self.resource_defaults}

    @property
    def dlt_defaults(self) -> EndpointResourceBase:
        """The defaults as dlt's rest_api takes them: without the engine's own keys."""
        return without_engine_keys(self.defaults)

    def setting(self, resource_name: str, key: str) -> Any:
        """A resource-level hint, falling back to the defaults."""
        return self.resource(resource_name).get(key, self.defaults.get(key))

    def deletions_of(self, resource_name: str) -> str:
        """The resource's deletions mode: its own, else resource_defaults', else the API's."""
        return self.setting(resource_name, "deletions") or self.deletions

    def incremental_of(self, resource_name: str) -> Mapping[str, Any] | None:
        """The resource's incremental cursor config, if it has one."""
        endpoint = self.resource(resource_name).get("endpoint")
        return endpoint.get("incremental") if isinstance(endpoint, dict) else None

    def is_complete_listing(self, resource_name: str) -> bool:
        """Whether a sync reads every row the API has, so that a row it misses was deleted.

        Not so for an incremental resource, one whose processing steps filter rows, or a
        child of a resource that is not a complete listing itself.
        """
        steps = self.setting(resource_name, "processing_steps") or []
        parent = self.parent_of(resource_name)
        return (
            self.incremental_of(resource_name) is None
            and not any("filter" in step for step in steps)
            and (parent is None or self.is_complete_listing(parent))
        )

    def endpoint_path(self, resource_name: str) -> str:
        endpoint = self.resource(resource_name)["endpoint"]
        return endpoint if isinstance(endpoint, str) else endpoint["path"]

    def parent_of(self, resource_name: str) -> str | None:
        """The resource whose records a child's path or params refer to, if any."""
        endpoint: Mapping[str, Any] = self.resource(resource_name).get("endpoint") or {}
        if isinstance(endpoint, str):
            endpoint = {"path": endpoint}
        references = _PARENT_REF.findall(endpoint.get("path", ""))
        references += [
            param["resource"]
            for param in (endpoint.get("params") or {}).values()
            if isinstance(param, dict) and param.get("type") == "resolve"
        ]
        return references[0] if references else None


def without_engine_keys(config: Mapping[str, Any]) -> dict:
    """A resource config (or resource_defaults) as dlt takes it."""
    return {key: value for key, value in config.items() if key not in ENGINE_RESOURCE_KEYS}
