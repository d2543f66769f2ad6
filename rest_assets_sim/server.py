"""The HTTP server: routing, auth, hooks, latency and the `Simulator` facade."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import math
import re
import secrets
import select
import socket
import ssl
import sys
import struct
import threading
import time
import traceback
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from .apis import APIS, DEFAULT_CREDENTIALS, Api, Credentials, Resource
from .data import Dataset, IndexView, Table, parse_ts, ts
from .paging import ApiError, PageRequest
from .ratelimit import Admission, RateLimit, RateLimiter

_UNLIMITED = Admission(allowed=True, headers={})


@dataclass(frozen=True)
class RequestRecord:
    api: str | None  # None when no API prefix matched
    method: str
    path: str  # after the API prefix, e.g. "/v1/jobs"
    query: dict[str, str]  # last value per key
    status: int


@dataclass
class Response:
    """What a hook returns to replace the normal answer. dict/list bodies are sent as JSON.

    The transport faults misbehave on the wire: `delay_seconds` waits before the
    status line (a slow server: read timeouts; `math.inf`: no answer at all), or
    until the client hangs up; `truncate_at` sends the full Content-Length but
    only that many body bytes, then drops the connection; `drip` = (n, gap) sends
    the body n bytes at a time, gap seconds apart, until done or the client hangs
    up; `reset` aborts the connection (TCP RST) without answering. The request log
    records such a response with `status` as given (use 0 for "no answer").
    """

    status: int
    body: bytes | dict | list | str = b""
    headers: dict[str, str] | None = None
    delay_seconds: float = 0.0
    truncate_at: int | None = None
    drip: tuple[int, float] | None = None
    reset: bool = False


@dataclass
class HookContext:
    api: str | None
    resource: str | None
    method: str
    path: str
    query: dict[str, str]
    headers: Any  # case-insensitive mapping (email.message.Message)
    body: bytes
    # The response the simulator would send if no hook answered (computed on call),
    # so a hook can alter a real page instead of inventing one.
    normal: Callable[[], "Response"] | None = None


Hook = Callable[[HookContext], "Response | None"]


# --- routing ------------------------------------------------------------------


@dataclass
class Route:
    api: Api | None
    path: str
    resource: Resource | None = None
    parent_key: str | None = None
    token: bool = False


def _pattern(path: str) -> re.Pattern:
    return re.compile(re.escape(path).replace(re.escape("{parent}"), "([^/]+)"))


# Longest prefix first, so "/resourcing/v3" can never be shadowed by a shorter prefix.
_PREFIXES = sorted(APIS.values(), key=lambda api: -len(api.prefix))
_PATTERNS = {api.name: [(_pattern(r.path), r) for r in api.resources.values()] for api in APIS.values()}


def route(path: str) -> Route:
    for api in _PREFIXES:
        if path.startswith(api.prefix + "/"):
            sub = path[len(api.prefix) :]
            if sub == api.token_path:
                return Route(api, sub, token=True)
            for pattern, resource in _PATTERNS[api.name]:
                match = pattern.fullmatch(sub)
                if match:
                    # The parent's key is one percent-encoded path segment (it may hold "/", "?", "#", "%").
                    return Route(api, sub, resource, unquote(match.group(1)) if match.groups() else None)
            return Route(api, sub)
    return Route(None, path)


# --- auth helpers ---------------------------------------------------------------


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _basic(headers) -> tuple[str, str] | None:
    scheme, _, value = (headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def _bearer(headers) -> str | None:
    scheme, _, value = (headers.get("Authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


# --- the simulator ------------------------------------------------------------------


class Simulator:
    """Serves the five APIs on loopback with deterministic data; see the package docstring."""

    def __init__(
        self,
        sizes: dict[str, dict[str, int]] | None = None,
        default_rows: int = 30,
        seed: int = 0,
        credentials: Credentials = DEFAULT_CREDENTIALS,
        token_ttl_seconds: float = 3600.0,
        latency_seconds: float = 0.0,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        rate_limit: RateLimit | None = None,
    ) -> None:
        self.credentials = credentials
        self.token_ttl_seconds = token_ttl_seconds
        self.latency_seconds = latency_seconds
        self.tls = tls
        self.hooks: list[Hook] = []
        self.rate_limiter = RateLimiter(rate_limit) if rate_limit else None
        self._data = Dataset(APIS, sizes, default_rows, seed, credentials)
        self._address = (host, port)
        self._lock = threading.RLock()  # guards the data overlays, the log and the tokens
        self._log: list[RequestRecord] = []
        self._tokens: dict[str, float] = {}  # access token -> time.monotonic() expiry
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> "Simulator":
        if self._server is None:
            self._server = _Server(self._address, _Handler)
            self._server.sim = self
            if self.tls:
                self._server.socket = _tls_context().wrap_socket(self._server.socket, server_side=True)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="rest-assets-sim", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        # Keep-alive connections would otherwise go on being served by a stopped simulator.
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> "Simulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("simulator not started")
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    @property
    def base_urls(self) -> dict[str, str]:
        return {name: self.root_url + api.prefix for name, api in APIS.items()}

    def env(self) -> dict[str, str]:
        """Every environment variable the project reads, pointing at this simulator."""
        env = {}
        for name, api in APIS.items():
            env[f"{name.upper()}_BASE_URL"] = self.base_urls[name]
            env.update({var: getattr(self.credentials, attr) for var, attr in api.env.items()})
            env.update(api.settings)
            if api.token_path:
                env[f"{name.upper()}_TOKEN_URL"] = self.base_urls[name] + api.token_path
        return env

    # -- data

    def expected_rows(self, api: str, resource: str) -> list[dict]:
        """The records a full sync must land (after mutations), in API order."""
        with self._lock:
            table = self._data.table(api, resource)
            return [table.row(i) for view in self._data.views(api, resource) for i in view.slice(0, len(view))]

    def expected_count(self, api: str, resource: str) -> int:
        with self._lock:
            return sum(len(view) for view in self._data.views(api, resource))

    def update_rows(self, api: str, resource: str, ids: list, changes: dict | None = None) -> None:
        """Edit records in place by primary key; also bumps the resource's `touch` timestamp."""
        with self._lock:
            self._data.table(api, resource).update(list(ids), changes)

    def add_rows(self, api: str, resource: str, n: int) -> list:
        """Append n records at the end of the API order; returns their keys."""
        with self._lock:
            return self._data.add(api, resource, n)

    def delete_rows(self, api: str, resource: str, ids: list) -> None:
        """Stop listing records (by primary key), as an API does after a deletion; a deleted parent's children go too."""
        with self._lock:
            self._data.table(api, resource).delete(list(ids))

    def restore_rows(self, api: str, resource: str, ids: list) -> None:
        """List deleted records again, unchanged."""
        with self._lock:
            self._data.table(api, resource).restore(list(ids))

    def rename_keys(self, api: str, resource: str, renames: dict) -> None:
        """Give records new primary keys (e.g. ids holding "/", "..", "?", "#", "%"); children follow."""
        with self._lock:
            self._data.table(api, resource).rename(renames)

    # -- tokens

    def expire_tokens(self) -> None:
        """Make every access token issued so far expired (a token dying mid-run)."""
        with self._lock:
            self._tokens = {token: min(expiry, time.monotonic()) for token, expiry in self._tokens.items()}

    @property
    def issued_tokens(self) -> list[str]:
        """Every access token still remembered (they are secrets too: leak checks look for them)."""
        with self._lock:
            return list(self._tokens)

    # -- request log

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    # -- HTTP handling (called from the server threads)

    def handle(self, method: str, target: str, headers, body: bytes) -> Response:
        url = urlsplit(target)
        query = {key: values[-1] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
        found = route(url.path)
        ctx = HookContext(
            api=found.api.name if found.api else None,
            resource=found.resource.name if found.resource else None,
            method=method,
            path=found.path,
            query=query,
            headers=headers,
            body=body,
        )
        ctx.normal = lambda: self._normal(found, ctx)
        admission = self._admit(found)
        try:
            response = self._respond(found, ctx) if admission.allowed else Response(429, {"error": "rate limit exceeded"})
        except ApiError as err:
            response = Response(err.status, {"error": err.message})
        except Exception:  # a bug here must not hang the client: answer 500 and show the traceback
            traceback.print_exc()
            response = Response(500, {"error": "internal error"})
        if admission.headers:  # on a copy: a hook may answer with the same Response every time
            response = replace(response, headers={**admission.headers, **(response.headers or {})})
        with self._lock:
            self._log.append(RequestRecord(ctx.api, method, ctx.path, query, response.status))
        return response

    def _admit(self, found: Route) -> Admission:
        """The API's rate limit, in front of everything else (token requests are not counted)."""
        if self.rate_limiter is None or found.api is None or found.token or not self.rate_limiter.limit.applies_to(found.api.name):
            return _UNLIMITED
        return self.rate_limiter.admit(found.api.name)

    def _respond(self, found: Route, ctx: HookContext) -> Response:
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        for hook in list(self.hooks):
            replaced = hook(ctx)
            if replaced is not None:
                return replaced
        return self._normal(found, ctx)

    def _normal(self, found: Route, ctx: HookContext) -> Response:
        """The answer without hooks; ApiError for a client error."""
        if found.api is None or (found.resource is None and not found.token):
            raise ApiError(404, "not found")
        if found.token:
            return self._issue_token(found.api, ctx)
        if ctx.method != "GET":
            raise ApiError(405, "method not allowed")
        error = self._auth_error(found.api, ctx.headers)
        if error:
            raise ApiError(401, error)
        return Response(200, self._list(found, ctx.query))

    def _list(self, found: Route, query: dict[str, str]) -> dict:
        api, resource = found.api, found.resource
        with self._lock:
            table = self._data.table(api.name, resource.name)
            request = PageRequest(
                view=self._view(table, found, query),
                rows=lambda indices: [table.row(i) for i in indices],
                query=query,
                selector=api.selector or resource.name,
                url=lambda changes: f"{self.root_url}{api.prefix}{found.path}?{urlencode({**query, **changes})}",
                index_of=lambda key: resource.codec.decode(table.salt, key),
            )
            return (resource.paging or api.paging)(request)

    def _view(self, table: Table, found: Route, query: dict[str, str]) -> IndexView:
        if table.parent is not None:
            try:
                return table.child_view(table.parent.index(found.parent_key))
            except KeyError:
                raise ApiError(404, "not found") from None
        since = table.spec.since
        if since is None or since.param not in query:
            return table.view()
        try:
            return table.view(since=ts(parse_ts(query[since.param])))
        except ValueError:
            raise ApiError(400, f"invalid {since.param}") from None

    # -- auth

    def _auth_error(self, api: Api, headers) -> str | None:
        """None if the request carries this API's credentials, else the error message."""
        auth, creds = api.auth, self.credentials
        secret = getattr(creds, auth.secret)
        if auth.kind == "oauth2":
            return self._token_error(_bearer(headers))
        if auth.kind == "basic":
            given = _basic(headers) or (None, None)
            ok = _same(given[0], getattr(creds, auth.user)) and _same(given[1], secret)
        elif auth.kind == "bearer":
            ok = _same(_bearer(headers), secret)
        elif auth.kind == "header":
            ok = _same(headers.get(auth.header), secret)
        else:
            raise ValueError(f"unknown auth kind {auth.kind!r}")
        return None if ok else "unauthorized"

    def _token_error(self, token: str | None) -> str | None:
        with self._lock:
            expiry = self._tokens.get(token or "")
        if expiry is None:
            return "unauthorized"
        return "token expired" if time.monotonic() >= expiry else None

    def _issue_token(self, api: Api, ctx: HookContext) -> Response:
        """OAuth2 client credentials: form body or HTTP Basic client auth."""
        if ctx.method != "POST":
            raise ApiError(405, "method not allowed")
        form = {key: values[-1] for key, values in parse_qs(ctx.body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            raise ApiError(400, "unsupported_grant_type")
        client_id, client_secret = _basic(ctx.headers) or (form.get("client_id"), form.get("client_secret"))
        creds = self.credentials
        if not (_same(client_id, getattr(creds, api.auth.user)) and _same(client_secret, getattr(creds, api.auth.secret))):
            raise ApiError(401, "invalid_client")
        token, now = secrets.token_urlsafe(24), time.monotonic()
        with self._lock:
            # Forget tokens long dead; recently expired ones still answer "token expired".
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now - 3600}
            self._tokens[token] = now + self.token_ttl_seconds
        expires_in = max(1, int(self.token_ttl_seconds))
        return Response(200, {"access_token": token, "token_type": "bearer", "expires_in": expires_in})


# --- HTTP plumbing --------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sim: Simulator

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up mid-answer (a killed run, a refused fault) is no server error."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


# A self-signed certificate for 127.0.0.1 and localhost, for tests only (its key is no secret).
TLS_DIR = Path(__file__).with_name("tls")
CA_BUNDLE = str(TLS_DIR / "cert.pem")


def _tls_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS_DIR / "cert.pem", TLS_DIR / "key.pem")
    return context


def _encode(body) -> tuple[bytes, str]:
    if isinstance(body, (dict, list)):
        return json.dumps(body, separators=(",", ":")).encode(), "application/json"
    if isinstance(body, str):
        return body.encode(), "text/plain; charset=utf-8"
    return bytes(body), "application/octet-stream"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # else small responses wait ~40 ms for delayed ACKs
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.sim._lock:
            self.server.sim._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.sim._lock:
            self.server.sim._connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args) -> None:  # silence per-request logging
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.server.sim.handle(self.command, self.path, self.headers, body)
        if response.delay_seconds and self._client_gone_within(response.delay_seconds):
            self.close_connection = True
            return
        if response.reset:
            self._abort()
            return
        payload, content_type = _encode(response.body)
        headers = {"Content-Type": content_type, **(response.headers or {})}
        self.send_response(response.status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if response.drip is not None:
            self._drip(payload, *response.drip)
            return
        if response.truncate_at is None:
            self.wfile.write(payload)
            return
        self.wfile.write(payload[: response.truncate_at])
        self.wfile.flush()
        self._abort()

    def _drip(self, payload: bytes, size: int, gap_seconds: float) -> None:
        for start in range(0, len(payload), size):
            if start and self._client_gone_within(gap_seconds):
                self.close_connection = True
                return
            self.wfile.write(payload[start : start + size])

    def _client_gone_within(self, seconds: float) -> bool:
        """Wait `seconds` (math.inf: for ever), or less: True as soon as the client hangs up."""
        until = time.monotonic() + seconds
        while (left := until - time.monotonic()) > 0:
            readable, _, _ = select.select([self.connection], [], [], None if math.isinf(left) else left)
            if readable:
                try:  # the raw socket's bytes, also under TLS: end of file means the client is gone
                    if not socket.socket.recv(self.connection, 1, socket.MSG_PEEK):
                        return True
                except OSError:
                    return True
                time.sleep(min(left, 0.05))  # bytes of a next request: not this answer's business
        return False

    def _abort(self) -> None:
        """Drop the connection with a TCP RST (linger 0), as a crashing server or a proxy would."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve
