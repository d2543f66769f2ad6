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
from dlt.sources.helpers.requests import Client
from dlt.sources.rest_api.typing import EndpointResource, EndpointResourceBase
from requests import Session

from rest_assets.engine.connections import ApiConnection

_naming = NamingConvention()
# Every resource merges on its primary key unless its configuration says otherwise.
DEFAULT_RESOURCE_HINTS: EndpointResourceBase = {"write_disposition": "merge"}
_PARENT_REF = re.compile(r"\{resources\.([^.}]+)\.")


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts and retries for every request of one API (defaults: the seeds' error handling)."""

    retry_statuses: tuple[int, ...] = (429, 500, 502, 503, 504)
    max_retries: int = 3
    backoff_factor: float = 2.0
    max_retry_delay_seconds: float = 60.0
    timeout_seconds: float = 60.0

    def session(self) -> Session:
        """A requests session with dlt's retry logic (honours Retry-After)."""
        return Client(
            request_timeout=self.timeout_seconds,
            raise_for_status=False,  # dlt's RESTClient raises itself, with a sanitized URL
            status_codes=self.retry_statuses,
            request_max_attempts=self.max_retries + 1,
            request_backoff_factor=self.backoff_factor,
            request_max_retry_delay=self.max_retry_delay_seconds,
            respect_retry_after_header=True,
        ).session


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

    def setting(self, resource_name: str, key: str) -> Any:
        """A resource-level hint, falling back to the defaults."""
        return self.resource(resource_name).get(key, self.defaults.get(key))

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
