"""`RestApiComponent`: one REST API declared in a `defs.yaml`, in dlt's `rest_api` vocabulary.

    type: rest_assets.RestApiComponent
    attributes:
      name: helpdesk
      description: "Helpdesk: tickets and their comments."
      client:
        base_url: "{{ env('HELPDESK_BASE_URL', 'https://helpdesk.example.com') }}"
        auth: {type: bearer, token_env: HELPDESK_API_TOKEN}
      resource_defaults: {primary_key: id, endpoint: {paginator: {type: header_link}}}
      resources:
        - {name: tickets, endpoint: {path: /tickets}}
        - {name: comments, endpoint: {path: /comments, params: {ticket_id: "{resources.tickets.id}"}}}

`client`, `resource_defaults` and `resources` are dlt's keys, with two changes that keep the
file data: secrets are named, never written (`token_env: HELPDESK_API_TOKEN` becomes a Dagster
`EnvVar`, read when a run starts and shown in the UI by name), and an incremental `convert` is
a strftime format. Non-secret values may use Components' templating (`{{ env(...) }}`), read
when the definitions load. The models below give `dg check yaml` a schema, so a wrong key is
reported with its line; dlt validates the rest when the definitions load.
"""

from __future__ import annotations

from typing import Any, Literal, Optional, Union

import dagster as dg
from dagster import EnvVar
from pydantic import Field

from rest_assets.components.scaffolder import RestApiScaffolder
from rest_assets.engine.connections import (
    ApiConnection,
    ApiKeyConnection,
    BasicAuthConnection,
    BearerTokenConnection,
    OAuth2ClientCredentialsConnection,
)
from rest_assets.engine.http import HttpPolicy
from rest_assets.engine.spec import DELETION_MODES, RestApi, SyncSchedule

# --- client and auth ------------------------------------------------------------------


class BearerAuth(dg.Model, dg.Resolvable):
    """`Authorization: Bearer <token>`."""

    type: Literal["bearer"]
    token_env: str = Field(description="Env var holding the token.")

    def connection(self, **common: Any) -> ApiConnection:
        return BearerTokenConnection(token=EnvVar(self.token_env), **common)


class ApiKeyAuth(dg.Model, dg.Resolvable):
    """An API key in a request header."""

    type: Literal["api_key"]
    name: str = Field(default="X-API-Key", description="The header's name.")
    location: Literal["header"] = "header"
    api_key_env: str = Field(description="Env var holding the key.")

    def connection(self, **common: Any) -> ApiConnection:
        return ApiKeyConnection(api_key=EnvVar(self.api_key_env), header_name=self.name, **common)


class HttpBasicAuth(dg.Model, dg.Resolvable):
    """HTTP basic authentication."""

    type: Literal["http_basic"]
    username_env: str = Field(description="Env var holding the user name.")
    password_env: str = Field(description="Env var holding the password.")

    def connection(self, **common: Any) -> ApiConnection:
        return BasicAuthConnection(username=EnvVar(self.username_env), password=EnvVar(self.password_env), **common)


class OAuth2ClientCredentialsAuth(dg.Model, dg.Resolvable):
    """OAuth2 client credentials: a token from `access_token_url`, refreshed before it expires."""

    type: Literal["oauth2_client_credentials"]
    access_token_url: str
    client_id_env: str = Field(description="Env var holding the client id.")
    client_secret_env: str = Field(description="Env var holding the client secret.")

    def connection(self, **common: Any) -> ApiConnection:
        return OAuth2ClientCredentialsConnection(
            client_id=EnvVar(self.client_id_env), client_secret=EnvVar(self.client_secret_env),
            token_url=self.access_token_url, **common,
        )


Auth = Union[BearerAuth, ApiKeyAuth, HttpBasicAuth, OAuth2ClientCredentialsAuth]  # told apart by `type`


class Client(dg.Model, dg.Resolvable):
    """dlt's `client`: where the API is and how it authenticates."""

    base_url: str = Field(description="May carry a path (https://host/v3); resource paths are appended to it.")
    auth: Auth


# --- resources, in dlt's rest_api keys --------------------------------------------------


class Incremental(dg.Model, dg.Resolvable):
    """dlt's incremental cursor; `convert` is the strftime format the API's filter takes."""

    cursor_path: str
    start_param: Optional[str] = None
    end_param: Optional[str] = None
    initial_value: Optional[Any] = Field(default=None, description="Else the API's start_date_env.")
    end_value: Optional[Any] = None
    convert: Optional[str] = Field(default=None, description="e.g. '%Y-%m-%dT%H:%M:%SZ'")
    lag: Optional[float] = None
    on_cursor_value_missing: Optional[Literal["raise", "include", "exclude"]] = None
    range_start: Optional[Literal["open", "closed"]] = None
    range_end: Optional[Literal["open", "closed"]] = None


class EndpointConfig(dg.Model, dg.Resolvable):
    """dlt's `endpoint`. `{resources.<parent>.<field>}` in the path, params, json, data or headers makes a child."""

    path: Optional[str] = None
    method: Optional[Literal["GET", "POST"]] = None
    params: Optional[dict[str, Any]] = None
    json_: Optional[dict[str, Any]] = Field(default=None, alias="json")
    data: Optional[Any] = None
    headers: Optional[dict[str, Any]] = None
    paginator: Optional[Union[str, dict[str, Any]]] = Field(
        default=None, description="dlt's, or the project's: last_record_cursor, sized_page_number."
    )
    data_selector: Optional[str] = None
    response_actions: Optional[list[dict[str, Any]]] = None
    incremental: Optional[Incremental] = None


class ResourceDefaults(dg.Model, dg.Resolvable):
    """dlt's resource keys (merged under every resource), and `deletions`."""

    endpoint: Optional[EndpointConfig] = None
    primary_key: Optional[Union[str, list[str]]] = None
    merge_key: Optional[Union[str, list[str]]] = None
    write_disposition: Optional[Union[Literal["merge", "append", "replace"], dict[str, Any]]] = None
    columns: Optional[dict[str, dict[str, Any]]] = Field(
        default=None, description="dlt column hints by field: data_type, nullable, description, dedup_sort, ..."
    )
    table_name: Optional[str] = None
    max_table_nesting: Optional[int] = None
    include_from_parent: Optional[list[str]] = None
    selected: Optional[bool] = None
    parallelized: Optional[bool] = None
    schema_contract: Optional[Union[str, dict[str, Any]]] = None
    deletions: Optional[Literal[DELETION_MODES]] = None  # type: ignore[valid-type]


class Resource(ResourceDefaults):
    name: str


class Schedule(dg.Model, dg.Resolvable):
    cron: str
    resources: list[str] = Field(default_factory=list, description="Empty: every resource of the API.")
    timezone: Optional[str] = Field(default=None, description="Default: REST_ASSETS_TIMEZONE, else UTC.")


class Http(dg.Model, dg.Resolvable):
    """HttpPolicy's fields (engine/http.py); each also overridable by <API>_HTTP_<FIELD>."""

    retry_statuses: Optional[list[int]] = None
    max_retries: Optional[int] = None
    backoff_factor: Optional[float] = None
    max_retry_delay_seconds: Optional[float] = None
    timeout_seconds: Optional[float] = None
    response_deadline_seconds: Optional[float] = None
    max_pages: Optional[int] = None
    max_response_mb: Optional[float] = None
    max_json_depth: Optional[int] = None
    max_concurrency: Optional[int] = None
    requests_per_second: Optional[float] = None

    def policy(self) -> HttpPolicy:
        fields = self.model_dump(exclude_none=True)
        if "retry_statuses" in fields:
            fields["retry_statuses"] = tuple(fields["retry_statuses"])
        return HttpPolicy(**fields)


# --- the component ----------------------------------------------------------------------


@dg.scaffold_with(RestApiScaffolder)
class RestApiComponent(dg.Component, dg.Model, dg.Resolvable):
    """One REST API as Dagster assets: each resource a dlt rest_api resource landed in the warehouse.

    Builds the API's subsettable multi-asset (one asset per resource, children depending on
    their parents, two table checks each), its connection resource `<name>_api`, a job and
    schedule per entry of `schedules`, and a change sensor per incremental resource.
    """

    name: str = Field(description="Group, dataset and first part of every asset key.")
    description: str
    client: Client
    resources: list[Resource]
    resource_defaults: ResourceDefaults = Field(default_factory=ResourceDefaults)
    start_date_env: Optional[str] = Field(
        default=None, description="Env var with the first cursor value of incremental resources (ISO 8601)."
    )
    http: Http = Field(default_factory=Http)
    schedules: list[Schedule] = Field(default_factory=lambda: [Schedule(cron="0 3 * * *")])
    owners: list[str] = Field(default_factory=lambda: ["team:data-engineering"])
    deletions: Literal[DELETION_MODES] = "soft"  # type: ignore[valid-type]

    def rest_api(self) -> RestApi:
        """The declaration as the engine takes it (resources as dlt's dicts)."""
        common = {"base_url": self.client.base_url}
        if self.start_date_env:
            common["start_date"] = EnvVar(self.start_date_env)
        return RestApi(
            name=self.name,
            description=self.description,
            connection=self.client.auth.connection(**common),
            resources=[_dlt_dict(resource) for resource in self.resources],
            resource_defaults=_dlt_dict(self.resource_defaults),
            http=self.http.policy(),
            schedules=[SyncSchedule(s.cron, tuple(s.resources), s.timezone) for s in self.schedules],
            owners=tuple(self.owners),
            deletions=self.deletions,
        )

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        from rest_assets.orchestration.definitions import api_definitions

        return api_definitions(self.rest_api())


def _dlt_dict(model: dg.Model) -> dict[str, Any]:
    return model.model_dump(exclude_unset=True, by_alias=True)
