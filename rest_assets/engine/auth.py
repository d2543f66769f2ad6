"""An API's auth as dlt builds it, from its registry, with the client-credentials flow refreshed early.

The declaration's auth (secrets filled in when the run starts) goes through dlt's own
`create_auth`, so every auth type dlt knows, or that was registered with it, works. dlt's
OAuth2 client-credentials flow is replaced by `EarlyRefreshClientCredentials`, its
subclass, and every auth that requests tokens gets the sync's session for them, so a token
request passes the same guards as every other request.
"""

from __future__ import annotations

import dataclasses
import inspect
import threading
from typing import Any, ClassVar, Mapping

import pendulum
from dlt.common.configuration import configspec
from dlt.sources.helpers.rest_client.auth import AuthConfigBase, OAuth2ClientCredentials
from dlt.sources.rest_api.config_setup import create_auth, get_auth_class, register_auth
from requests import PreparedRequest, Response, Session


def build_auth(auth_config: Any, session: Session) -> AuthConfigBase | None:
    """dlt's auth object for a declared auth (secrets filled in), its token requests on `session`."""
    if auth_config is None:
        return None
    auth_config = {"type": auth_config} if isinstance(auth_config, str) else dict(auth_config)
    auth_class = get_auth_class(auth_config.get("type", "bearer"))
    if auth_class is OAuth2ClientCredentials:
        register_auth(EARLY_REFRESH, EarlyRefreshClientCredentials)
        auth_config["type"] = EARLY_REFRESH
    if "session" in inspect.signature(auth_class.__init__).parameters:
        auth_config["session"] = session
    return create_auth(auth_config)


def token_urls(auth_config: Any) -> list[str]:
    """Where a declared auth requests its tokens: origins that may receive its credentials too."""
    url = auth_config.get("access_token_url") if isinstance(auth_config, dict) else None
    return [url] if url else []


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


EARLY_REFRESH = "rest_assets.engine.auth:EarlyRefreshClientCredentials"


@dataclasses.dataclass(frozen=True)
class Credentials:
    """What a run reads from its environment for one API: its secrets by env var name, and its start date."""

    secrets: Mapping[str, str] = dataclasses.field(default_factory=dict)
    start_date: str | None = None  # ISO 8601: where incremental cursors without an initial value start
