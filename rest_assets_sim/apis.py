"""The five simulated APIs as data: URL prefix, auth kind, paging style, resources.

The server is generic; everything API-specific lives in `APIS` below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import fields, paging
from .data import IntKey, PrefixedKey, SidKey, UuidKey


@dataclass(frozen=True)
class Credentials:
    taskrouter_account_sid: str
    taskrouter_auth_token: str
    agency_api_token: str
    resourcing_api_token: str
    workhub_api_key: str
    datasync_client_id: str
    datasync_client_secret: str


# Distinctive values, so a leak into logs, the UI or the warehouse is easy to grep for.
DEFAULT_CREDENTIALS = Credentials(
    taskrouter_account_sid="ACsim-sid-7f3a",
    taskrouter_auth_token="sim-taskrouter-token-91c2",
    agency_api_token="sim-agency-token-4e8b",
    resourcing_api_token="sim-resourcing-token-d05f",
    workhub_api_key="sim-workhub-key-6a1d",
    datasync_client_id="sim-datasync-client-38e7",
    datasync_client_secret="sim-datasync-secret-b2c9",
)


@dataclass(frozen=True)
class Auth:
    """kind: "basic" (user:secret), "bearer" (secret), "header" (header: secret) or
    "oauth2" (client credentials user/secret at the API's token_path, then issued bearer tokens).
    `user` and `secret` name Credentials fields."""

    kind: str
    secret: str
    user: str | None = None
    header: str | None = None


@dataclass(frozen=True)
class Since:
    """An inclusive lower bound on a timestamp field, taken from a query parameter."""

    param: str
    field: str


@dataclass(frozen=True)
class Resource:
    name: str
    path: str  # after the API prefix; "{parent}" matches the parent's key
    make: Callable  # Row -> record
    key_field: str
    codec: object  # data.*Key
    paging: Callable | None = None  # overrides the API's style
    parent: str | None = None  # child resource: listed per parent row
    touch: str | None = None  # timestamp field bumped by update_rows / add_rows
    since: Since | None = None


@dataclass(frozen=True)
class Api:
    name: str
    prefix: str  # path of the base URL under the server root
    auth: Auth
    paging: Callable
    selector: str | None  # key of the record list; None: the resource name
    resources: dict[str, Resource]
    env: dict[str, str] = field(default_factory=dict)  # env var -> Credentials field
    settings: dict[str, str] = field(default_factory=dict)  # env var -> fixed value
    token_path: str | None = None  # OAuth2 token endpoint, under the prefix


def _by_name(*resources: Resource) -> dict[str, Resource]:
    return {r.name: r for r in resources}


APIS: dict[str, Api] = {
    api.name: api
    for api in [
        Api(
            name="taskrouter",
            prefix="/taskrouter",
            auth=Auth("basic", user="taskrouter_account_sid", secret="taskrouter_auth_token"),
            paging=paging.page_meta,
            selector=None,
            resources=_by_name(
                Resource("workspaces", "/v1/resource", fields.tr_workspace, "sid", SidKey("WS"), touch="date_updated"),
                Resource("workers", "/v1/resource/{parent}/Workers", fields.tr_worker, "sid", SidKey("WK"),
                         parent="workspaces", touch="date_updated"),
            ),
            env={"TASKROUTER_ACCOUNT_SID": "taskrouter_account_sid", "TASKROUTER_AUTH_TOKEN": "taskrouter_auth_token"},
        ),
        Api(
            name="agency",
            prefix="/agency",
            auth=Auth("bearer", secret="agency_api_token"),
            paging=paging.starting_after,
            selector="results",
            resources=_by_name(*(
                Resource(name, f"/api/workspace/{path}", make, "id", IntKey(), touch="updatedAt")
                for name, (path, make) in fields.AGENCY.items()
            )),
            env={"AGENCY_API_TOKEN": "agency_api_token"},
        ),
        Api(
            name="resourcing",
            prefix="/resourcing/v3",
            auth=Auth("bearer", secret="resourcing_api_token"),
            paging=paging.page_number,
            selector="data",
            resources=_by_name(*(
                Resource(name, path, make, "id", IntKey(), touch="modified",
                         since=Since("modified_since", "modified") if name == "logged_time" else None)
                for name, (path, make) in fields.RESOURCING.items()
            )),
            env={"RESOURCING_API_TOKEN": "resourcing_api_token"},
            # Where the first incremental sync starts; before every base `modified`.
            settings={"RESOURCING_START_DATE": "2024-01-01T00:00:00Z"},
        ),
        Api(
            name="workhub",
            prefix="/workhub",
            auth=Auth("header", header="api_key", secret="workhub_api_key"),
            paging=paging.page_token,
            selector="data",
            resources=_by_name(*(
                Resource(name, f"/api/1.0/{name}", make, "id", PrefixedKey(prefix))
                for name, (prefix, make) in fields.WORKHUB.items()
            )),
            env={"WORKHUB_API_KEY": "workhub_api_key"},
        ),
        Api(
            name="datasync",
            prefix="/datasync",
            auth=Auth("oauth2", user="datasync_client_id", secret="datasync_client_secret"),
            paging=paging.next_link,
            selector="data",
            resources=_by_name(
                Resource("jobs", "/v1/jobs", fields.ds_job, "jobId", IntKey(), paging=paging.offset, touch="lastUpdatedAt"),
                Resource("connections", "/v1/connections", fields.ds_connection, "connectionId", UuidKey()),
                Resource("workspaces", "/v1/workspaces", fields.ds_workspace, "workspaceId", UuidKey()),
            ),
            env={"DATASYNC_CLIENT_ID": "datasync_client_id", "DATASYNC_CLIENT_SECRET": "datasync_client_secret"},
            token_path="/oauth/token",
        ),
    ]
}
