"""Dagster resources that hold an API's base URL and credentials.

One class per authentication scheme; an API's configuration instantiates one
with `EnvVar`s, so secrets are resolved at run time, never shown in the UI, and
the definitions load with no credentials set. Each class turns itself into the
matching dlt auth object.
"""

from __future__ import annotations

import threading
from typing import ClassVar

import pendulum
from dagster import ConfigurableResource, EnvVar
from dlt.common.configuration import configspec
from dlt.sources.helpers.rest_client.auth import (
    APIKeyAuth,
    AuthConfigBase,
    BearerTokenAuth,
    HttpBasicAuth,
    OAuth2ClientCredentials,
)
from requests import PreparedRequest, Response, Session


class ApiConnection(ConfigurableResource):
    """Base URL plus credentials of one REST API."""

    base_url: str
    # Where incremental resources start on their first run (ISO 8601); unused by APIs without one.
    start_date: str | None = None

    def dlt_auth(self, session: Session) -> AuthConfigBase | None:
        return None

    def trusted_urls(self) -> list[str]:
        """The URLs whose origins may receive this connection's credentials."""
        return [self.base_url]

    def credential_env_vars(self) -> list[str]:
        """Env vars that feed this connection (only meaningful before resolution)."""
        values = (getattr(self, field) for field in type(self).model_fields)
        return [value.env_var_name for value in values if isinstance(value, EnvVar)]


class BasicAuthConnection(ApiConnection):
    username: str
    password: str

    def dlt_auth(self, session: Session) -> AuthConfigBase:
        return HttpBasicAuth(username=self.username, password=self.password)


class BearerTokenConnection(ApiConnection):
    token: str

    def dlt_auth(self, session: Session) -> AuthConfigBase:
        return BearerTokenAuth(token=self.token)


class ApiKeyConnection(ApiConnection):
    api_key: str
    header_name: str = "X-API-Key"

    def dlt_auth(self, session: Session) -> AuthConfigBase:
        return APIKeyAuth(name=self.header_name, api_key=self.api_key, location="header")


class OAuth2ClientCredentialsConnection(ApiConnection):
    client_id: str
    client_secret: str
    token_url: str

    def dlt_auth(self, session: Session) -> AuthConfigBase:
        return EarlyRefreshClientCredentials(
            access_token_url=self.token_url,
            client_id=self.client_id,
            client_secret=self.client_secret,
            session=session,
        )

    def trusted_urls(self) -> list[str]:
        return [self.base_url, self.token_url]


@configspec
class EarlyRefreshClientCredentials(OAuth2ClientCredentials):
    """dlt's client-credentials flow, refreshing shortly *before* the token expires, and once on a 401.

    dlt refreshes only once the expiry instant has passed, so a request signed a
    moment earlier reaches the server with a token that is already dead. We
    refresh once 90% of the token's lifetime has passed (at most 60 s early).

    A token can still die early (revoked, the server's clock ahead): a 401 then
    gets one new token and one retry of that request, through the same
    transport; a second 401 stands, and the run fails with it. This is how
    requests' own HTTPDigestAuth answers a 401: a response hook the auth
    registers on each request it signs.
    """

    # dlt's check-then-fetch is unguarded: resources extracted in parallel each fetched
    # a token at the start of a run (3 for datasync's 3 resources), not one between them.
    _token_lock: ClassVar[threading.Lock] = threading.Lock()

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        with self._token_lock:
            if self.access_token is None or self.is_token_expired():
                self.obtain_token()
        request = super().__call__(request)
        request.register_hook("response", self._refresh_once_on_401)
        return request

    def obtain_token(self) -> None:
        super().obtain_token()
        lifetime = (self.token_expiry - pendulum.now()).total_seconds()
        self.token_expiry = self.token_expiry.subtract(seconds=min(60.0, lifetime * 0.1))

    def _refresh_once_on_401(self, response: Response, **send_kwargs) -> Response:
        if response.status_code != 401:
            return response
        with self._token_lock:
            if response.request.headers.get("Authorization") == f"Bearer {self.access_token}":
                self.obtain_token()  # else another request has already replaced the stale token
        retry = response.request.copy()
        retry.headers["Authorization"] = f"Bearer {self.access_token}"
        response.close()
        second = response.connection.send(retry, **send_kwargs)  # not through the session: no hooks, no loop
        second.history.append(response)
        second.request = retry
        return second
