"""The HTTP policy of an API and the one session all of a sync's requests go through.

dlt's retrying session (`dlt.sources.helpers.requests.Client`) does the retries.
Mounted on it is `GuardedTransport`, a requests transport adapter, so every
request passes through it: API pages, next-page links, redirects, token
requests, and the retry of a refreshed token. It

- sends nothing to an origin other than the API's own (and its token URL's):
  a next-page link or redirect elsewhere fails the run before any byte is sent
  (dlt would send the credentials along);
- fails at once when the API asks, with `Retry-After` or a spent rate-limit
  window, for a longer wait than the cap (dlt would clamp the wait to the cap
  and ask again too early);
- paces the API's requests (`requests_per_second`, and what its rate-limit
  headers say) and shares its failures across threads (`ApiGate`);
- reads at most `max_response_mb` of a body, and cuts off an answer not complete
  within `response_deadline_seconds` of sending its request (deadlines.py), a
  timeout that dlt retries;
- requires JSON from every successful answer, not too deeply nested (dlt would
  fail on HTML or a cut-off body with a bare JSONDecodeError), and parses it
  once for all who ask (`ParsedOnceResponse`).

Everything raised here is an `ApiProblem` that names the request (errors.py),
or an `ApiGaveUp` caused by one.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import urlsplit

import dlt
import orjson
from dlt.common.exceptions import ResourceNameNotAvailable
from dlt.sources.helpers.requests import Client
from requests import HTTPError, PreparedRequest, RequestException, Response, Session
from requests.exceptions import ChunkedEncodingError, ConnectionError, Timeout
from requests.adapters import HTTPAdapter
from urllib3.util import parse_url

from rest_assets.engine.deadlines import response_deadline, watch_connections
from rest_assets.engine.errors import (
    ApiGaveUp,
    ForeignOrigin,
    ResponseDeadlineExceeded,
    RetryAfterTooLong,
    UnusableResponse,
)
from rest_assets.engine.ratelimits import RateLimitHeaders, RequestPace

ENV_PREFIX = "REST_ASSETS_HTTP_"
# What dlt's retrying session retries besides statuses (its DEFAULT_RETRY_EXCEPTIONS).
_RETRIED_EXCEPTIONS = (ConnectionError, Timeout, ChunkedEncodingError)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CHUNK_BYTES = 1 << 16


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts, retries and limits for every request of one API (defaults: the APIs' documented error handling).

    Each field can be overridden without code by `REST_ASSETS_HTTP_<FIELD>` (all
    APIs) or `<API>_HTTP_<FIELD>` (one API), e.g. `AGENCY_HTTP_TIMEOUT_SECONDS=30`.
    """

    retry_statuses: tuple[int, ...] = (429, 500, 502, 503, 504)
    max_retries: int = 3  # after the first attempt, so at most 4 requests for one page
    backoff_factor: float = 2.0  # waits 2, 4, 8 s between attempts unless Retry-After says otherwise
    max_retry_delay_seconds: float = 60.0  # cap on any wait; a longer Retry-After fails the run
    timeout_seconds: float = 60.0  # to connect, and between any two bytes of an answer
    # From sending a request to the last byte of its answer, however the bytes trickle in.
    response_deadline_seconds: float = 120.0
    max_pages: int = 10_000  # per resource (per parent record for a child resource)
    max_response_mb: float = 100.0
    max_json_depth: int = 64
    max_concurrency: int = 5  # requests of this API in flight at once (resources and child pages in parallel)
    # Shared by all of a run's requests to this API (not its token endpoint); None: only its rate-limit headers pace it.
    requests_per_second: float | None = None

    def __post_init__(self) -> None:
        for name in ("requests_per_second", "response_deadline_seconds"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(
                    f"{name} ({ENV_PREFIX}{name.upper()}, <API>_HTTP_{name.upper()}) must be more than 0, not {value:g}"
                )

    def with_env(self, api_name: str, environ: Mapping[str, str] = os.environ) -> "HttpPolicy":
        """This policy with the overrides set in the environment (the API's own ones win)."""
        changes: dict[str, Any] = {}
        for prefix in (ENV_PREFIX, f"{api_name.upper()}_HTTP_"):
            for policy_field in dataclasses.fields(self):
                name = prefix + policy_field.name.upper()
                if environ.get(name):
                    changes[policy_field.name] = _parse(name, environ[name], getattr(self, policy_field.name))
        return dataclasses.replace(self, **changes)

    def session(self, trusted_urls: Sequence[str] | None = None, stats: "RequestStats | None" = None) -> Session:
        """dlt's retrying session, sending only to the origins of `trusted_urls` (base URL, token URL).

        Without `trusted_urls` any origin is allowed: only for a caller that sends
        single requests to URLs it built itself (no links followed).
        """
        session = Client(
            request_timeout=self.timeout_seconds,
            raise_for_status=False,  # dlt's RESTClient raises itself, with a sanitized URL
            status_codes=self.retry_statuses,
            request_max_attempts=self.max_retries + 1,
            request_backoff_factor=self.backoff_factor,
            request_max_retry_delay=self.max_retry_delay_seconds,
            respect_retry_after_header=True,
        ).session
        transport = GuardedTransport(self, trusted_urls, stats or RequestStats())
        for scheme in ("http://", "https://"):
            session.mount(scheme, transport)
        _read_environment_once_per_origin(session)
        return session


def _read_environment_once_per_origin(session: Session) -> None:
    """Let the session read proxy and CA-bundle variables once for each origin, not for every request.

    requests' `merge_environment_settings` scans the whole environment twice a request
    for proxy variables (12% of a request's CPU, measured); which proxy an origin takes
    cannot change while a sync runs. Explicit proxies go through requests as before.
    """
    merge = session.merge_environment_settings
    known: dict[tuple, dict] = {}

    def merge_once(url: str, proxies: Any, stream: Any, verify: Any, cert: Any) -> dict:
        if proxies:
            return merge(url, proxies, stream, verify, cert)
        key = (origin(url), stream, verify, cert)
        if key not in known:
            known[key] = merge(url, proxies, stream, verify, cert)
        return {**known[key], "proxies": dict(known[key]["proxies"])}

    session.merge_environment_settings = merge_once  # type: ignore[method-assign]


def _parse(name: str, text: str, default: Any) -> Any:
    kind = float if default is None else type(default)  # the fields unset by default are numbers
    try:
        if kind is tuple:
            return tuple(int(part) for part in text.split(",") if part.strip())
        return kind(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a valid {kind.__name__}") from None


@dataclass
class IssuedRequest:
    """Which dlt resource sent a request, and how often (dlt's retries send the same request object again)."""

    resource: str | None
    attempts: int = 0

    @classmethod
    def note(cls, request: Any) -> "IssuedRequest":
        """The note on `request`, made when it is first sent: dlt names the resource its extracting thread works for."""
        issued = cls.on(request)
        if issued is None:
            issued = cls(resource=_current_resource())
            setattr(request, _ISSUED, issued)
        return issued

    @staticmethod
    def on(request: Any) -> "IssuedRequest | None":
        return getattr(request, _ISSUED, None)


_ISSUED = "rest_assets_issued"  # an attribute of requests' PreparedRequest


def _current_resource() -> str | None:
    try:
        return dlt.current.resource_name()
    except ResourceNameNotAvailable:  # not sent from a resource (a sensor's probe, a benchmark)
        return None


_UNPARSED = object()
# A run of 20 digits (2**64 has 20), found as 20 nines once every digit reads "9": a regex
# search for \d{20} took 1.2 ms on a 124 KB page, three times orjson's parse of it; this, 0.1 ms.
_DIGITS_AS_NINES = bytes.maketrans(b"012345678", b"999999999")
_TWENTY_NINES = b"9" * 20


def has_twenty_digit_run(body: bytes) -> bool:
    return _TWENTY_NINES in body.translate(_DIGITS_AS_NINES)


class ParsedOnceResponse(Response):
    """A response that parses its JSON body once, with orjson.

    The check below, dlt's client (for the page's data) and the paginators (for the next
    page) each call `json()` on every page; each call parsed it anew. What orjson refuses
    (not UTF-8, numbers beyond a double) or would round (integers beyond 64 bits, which
    it reads as floats) is parsed as requests would, with its errors.
    """

    _parsed: Any = _UNPARSED
    may_hold_huge_integers = False  # a 20-digit run in the body: parsed by requests, integers kept whole

    def json(self, **kwargs: Any) -> Any:
        if kwargs:
            return super().json(**kwargs)
        if self._parsed is _UNPARSED:
            self._parsed = self._parse()
        return self._parsed

    def _parse(self) -> Any:
        self.may_hold_huge_integers = has_twenty_digit_run(self.content)
        if not self.may_hold_huge_integers:
            try:
                return orjson.loads(self.content)
            except orjson.JSONDecodeError:
                pass
        return super().json()


class GuardedTransport(HTTPAdapter):
    """The transport every request of a sync goes through; see the module docstring."""

    def __init__(self, policy: HttpPolicy, trusted_urls: Sequence[str] | None, stats: "RequestStats") -> None:
        super().__init__(pool_maxsize=max(10, policy.max_concurrency))
        self.stats = stats
        self.policy = policy
        self.trusted = None if trusted_urls is None else {origin(url) for url in trusted_urls}
        self.gate = ApiGate(policy, trusted_urls)

    def send(self, request: PreparedRequest, stream: bool = False, **kwargs: Any) -> Response:
        issued = IssuedRequest.note(request)
        issued.attempts += 1
        self._refuse_foreign_origin(request)
        last_attempt = issued.attempts > self.policy.max_retries
        try:
            response = self.gate.send(lambda: self._send(request, stream, **kwargs), request.url, last_attempt)
        except _RETRIED_EXCEPTIONS:
            self.stats.record(request.url, retried=True)
            raise
        self.stats.record(request.url, retried=response.status_code in self.policy.retry_statuses)
        return response

    def _send(self, request: PreparedRequest, stream: bool, **kwargs: Any) -> Response:
        with response_deadline(self.policy.response_deadline_seconds) as deadline:
            try:
                response = super().send(request, stream=stream, **kwargs)
                self._refuse_long_retry_after(response)
                if not stream:
                    self._read_body(response)
            except Exception as cut_off:
                if deadline.passed:  # whatever the cut-off connection raised (reset, end of file, half a body)
                    raise self._missed_deadline(request) from cut_off
                raise
        if not stream:
            self._require_json(response)
        return response

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        watch_connections(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        return watch_connections(super().proxy_manager_for(proxy, **proxy_kwargs))

    def _missed_deadline(self, request: PreparedRequest) -> ResponseDeadlineExceeded:
        issued = IssuedRequest.on(request)
        return ResponseDeadlineExceeded(
            f"was not answered in full within the response deadline of {self.policy.response_deadline_seconds:g} s "
            f"(attempt {issued.attempts if issued else 1} of {self.policy.max_retries + 1})",
            request=request,
            advice="The API stalled, or sent its answer too slowly; each attempt was cut off at the deadline. "
            "If its pages really take that long, raise REST_ASSETS_HTTP_RESPONSE_DEADLINE_SECONDS.",
        )

    def build_response(self, req: PreparedRequest, resp: Any) -> Response:
        response = super().build_response(req, resp)
        response.__class__ = ParsedOnceResponse  # the same object, with json() that remembers
        return response

    def _refuse_foreign_origin(self, request: PreparedRequest) -> None:
        if self.trusted is None:
            return
        url = parse_url(request.url)
        if url.auth or origin(request.url) not in self.trusted:
            shown = f"{url.scheme}://{url.host}{':' + str(url.port) if url.port else ''}{url.path or ''}"
            raise ForeignOrigin(
                f"was not sent: it would go to {shown}"
                + (" with a user name in the link" if url.auth else "")
                + f", outside the API's own origin ({', '.join(sorted(map(format_origin, self.trusted)))})",
                request=request,
                advice="A next-page link or a redirect pointed elsewhere; the API's credentials are only ever "
                "sent to its own origin. If the API really moved, change its base URL.",
            )

    def _refuse_long_retry_after(self, response: Response) -> None:
        if response.status_code not in self.policy.retry_statuses:
            return
        wait = RateLimitHeaders.of(response.headers).wait_seconds
        if wait is not None and wait > self.policy.max_retry_delay_seconds:
            response.close()
            raise RetryAfterTooLong(
                f"answered HTTP {response.status_code} and asked to retry after {wait:.0f} s, "
                f"more than the {self.policy.max_retry_delay_seconds:.0f} s cap",
                response=response,
                advice="Run it again later, or raise REST_ASSETS_HTTP_MAX_RETRY_DELAY_SECONDS "
                "if waiting that long inside a run is acceptable.",
            )

    def _read_body(self, response: Response) -> None:
        """Read the body as requests would, but never more than the cap."""
        limit = int(self.policy.max_response_mb * 1_000_000)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            raise self._too_large(response)
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(_CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    response.close()
                    raise self._too_large(response)
                chunks.append(chunk)
        except RequestException as broken:  # a dropped or stalled connection: dlt retries these
            broken.request = broken.request or response.request  # so that the error can name the path
            raise
        # What Response.content would hold had requests read it (requests has no public setter).
        response._content = b"".join(chunks)

    def _too_large(self, response: Response) -> UnusableResponse:
        return UnusableResponse(
            f"answered HTTP {response.status_code} with a body larger than {self.policy.max_response_mb:g} MB",
            response=response,
            advice="Ask for smaller pages (the resource's page size), or raise REST_ASSETS_HTTP_MAX_RESPONSE_MB.",
        )

    def _require_json(self, response: ParsedOnceResponse) -> None:
        if not 200 <= response.status_code < 300 or response.status_code == 204:
            return
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise UnusableResponse(
                f"answered HTTP {response.status_code} with {media_type or 'no Content-Type'} instead of JSON",
                response=response,
                advice="Check the API's base URL: a login page, a proxy or a wrong host answers like this.",
            )
        try:
            too_deep = nesting_exceeds(response.json(), self.policy.max_json_depth)
        except RecursionError:  # deeper than Python's parser goes
            too_deep = True
        except ValueError as error:
            raise UnusableResponse(
                f"answered HTTP {response.status_code} with JSON that is cut off or malformed ({error})",
                response=response,
                advice="If this repeats, the API or a proxy in between is sending broken answers.",
            ) from None
        if too_deep:
            raise UnusableResponse(
                f"answered HTTP {response.status_code} with JSON nested deeper than {self.policy.max_json_depth} levels",
                response=response,
                advice="Raise REST_ASSETS_HTTP_MAX_JSON_DEPTH if such data is expected.",
            )
        if response.may_hold_huge_integers and (where := huge_integer_at(response.json())):
            # dlt would fail later, writing the record, without naming the resource or the field.
            raise UnusableResponse(
                f"answered HTTP {response.status_code} with an integer beyond 64 bits at {where}",
                response=response,
                advice="dlt stores integers of up to 64 bits: ask the API to send this field as a string, "
                "or leave the field out of the resource.",
            )


class RequestStats:
    """Answers per URL path in one run: pages fetched, and attempts that failed and were retried."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.pages: Counter[str] = Counter()
        self.retries: Counter[str] = Counter()

    def record(self, url: str, retried: bool) -> None:
        path = urlsplit(url).path
        with self._lock:
            (self.retries if retried else self.pages)[path] += 1

    def totals(self, path_pattern: re.Pattern) -> tuple[int, int]:
        """(pages, retries) over the paths matching `path_pattern`."""
        with self._lock:
            return (
                sum(n for path, n in self.pages.items() if path_pattern.fullmatch(path)),
                sum(n for path, n in self.retries.items() if path_pattern.fullmatch(path)),
            )


class ApiGate:
    """One API's requests across dlt's worker threads: when each may go out, and when none may.

    Failures. Until the API's first answer, and after a failure (a status in
    `retry_statuses` other than a 429 that says how long to wait, or a broken
    connection), only one thread sends: the one that saw the failure, retrying
    with dlt's backoff; the others wait. Failures of requests that were already
    in flight when the gate closed count once, not once each. Any other answer
    from the API itself reopens the gate (a token endpoint's answer lets the next
    request out, alone). When the first answer refuses the credentials, the
    failures use up one retry budget, or any request uses up its own retries,
    every waiting and later request fails here unsent (`ApiGaveUp`, caused by
    that failure). A failing API thus costs one retry budget per run (plus the
    requests already in flight), and wrong credentials one request, whatever
    the concurrency.

    Rate limits. Requests to the API (not to its token endpoint) take turns in
    one `RequestPace`: at most `requests_per_second`, and none while the API's
    headers say its window is spent or its Retry-After runs. A 429 that says how
    long to wait is "slow down": everyone waits, and it costs no retry budget
    (dlt still retries that request at most `max_retries` times).
    """

    def __init__(self, policy: HttpPolicy, trusted_urls: Sequence[str] | None) -> None:
        # The API's own answers are those under its base URL, except its token endpoint's
        # (which may well live under the base URL too).
        self._api_url, *self._token_urls = [url.rstrip("/") for url in trusted_urls or [""]]
        self._changed = threading.Condition()
        self._retry_statuses = set(policy.retry_statuses)
        self._budget = policy.max_retries + 1
        self._pace = RequestPace(policy.requests_per_second, policy.max_retry_delay_seconds)
        self._open = False
        self._ever_answered = False
        self._owner: int | None = None
        self._failures = 0
        self._dead: Exception | None = None

    def send(self, send: Callable[[], Response], url: str, last_attempt: bool) -> Response:
        """`send()` when its turn comes; `last_attempt`: dlt will not retry this request if it fails."""
        alone, ticket = self._wait_for_turn(paced=self._is_api(url))  # the token endpoint is not paced
        try:
            response = send()
        except _RETRIED_EXCEPTIONS as error:
            self._answered(ticket, None)
            self._failed(error, alone, last_attempt)
            raise
        except BaseException:
            self._answered(ticket, None)
            self._reopen()
            raise
        limits = RateLimitHeaders.of(response.headers)
        self._answered(ticket, limits)
        self._judge(response, limits, url, alone, last_attempt)
        return response

    def _judge(self, response: Response, limits: RateLimitHeaders, url: str, alone: bool, last_attempt: bool) -> None:
        status = response.status_code
        if status == 429 and limits.wait_seconds is not None:
            if last_attempt:  # slowed down once too often: dlt gives up on this request, and the run fails
                self._kill(HTTPError(f"answered HTTP {status}", response=response))
        elif status in self._retry_statuses:
            self._failed(HTTPError(f"answered HTTP {status}", response=response), alone, last_attempt)
        elif status in (401, 403) and not self._ever_answered:
            self._kill(HTTPError("the API refused the credentials on this run's first request", response=response))
        elif self._is_api(url):
            self._reopen()
        else:
            self._pass_on()

    def _is_api(self, url: str) -> bool:
        return url.startswith(self._api_url) and not any(url.startswith(t) for t in self._token_urls)

    def _wait_for_turn(self, paced: bool) -> tuple[bool, int | None]:
        """Wait until the gate lets this thread through and, if `paced`, the pace does too (every change
        wakes the waiters). Whether it sends alone (the gate is closed), and its ticket of the pace."""
        me = threading.get_ident()
        with self._changed:
            while True:
                self._refuse_if_dead()
                if not self._open and self._owner not in (None, me):
                    self._changed.wait()
                elif paced and (delay := self._pace.delay(time.monotonic())) > 0:
                    self._changed.wait(delay if math.isfinite(delay) else None)
                else:
                    break
            if not self._open:
                self._owner = me
            return not self._open, self._pace.sent(time.monotonic()) if paced else None

    def _answered(self, ticket: int | None, limits: RateLimitHeaders | None) -> None:
        if ticket is None:
            return
        with self._changed:
            if limits is None:
                self._pace.unanswered(ticket)
            else:
                self._pace.answered(ticket, limits, time.monotonic())
            self._changed.notify_all()  # the pace may have changed

    def _refuse_if_dead(self) -> None:
        if self._dead is not None:
            raise ApiGaveUp("not sent: an earlier request of this API failed for good") from self._dead

    def _failed(self, error: Exception, alone: bool, last_attempt: bool) -> None:
        if last_attempt:  # dlt gives up on this request, and the run fails
            self._kill(error)
            return
        with self._changed:
            if self._open:  # the first failure: from now on only this thread sends
                self._open, self._owner, self._failures = False, threading.get_ident(), 1
            elif alone:
                self._failures += 1
            # else the request was in flight when the gate closed: its retry waits at the gate
            if self._failures >= self._budget:
                self._dead = self._dead or error
                self._changed.notify_all()

    def _kill(self, error: Exception) -> None:
        with self._changed:
            self._dead = self._dead or error
            self._changed.notify_all()

    def _pass_on(self) -> None:
        """A token endpoint accepted the credentials: a later 401 is a token problem, retried once by the auth."""
        with self._changed:
            self._ever_answered = True
            self._owner = None
            self._changed.notify_all()

    def _reopen(self) -> None:
        with self._changed:
            self._open, self._ever_answered, self._owner, self._failures = True, True, None, 0
            self._changed.notify_all()


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL, parsed as urllib3 parses it to connect."""
    parsed = parse_url(url)
    scheme = (parsed.scheme or "").lower()
    return scheme, (parsed.host or "").lower(), parsed.port or _DEFAULT_PORTS.get(scheme, 0)


def format_origin(trusted: tuple[str, str, int]) -> str:
    scheme, host, port = trusted
    return f"{scheme}://{host}:{port}"


_CONTAINERS = (dict, list)
_INT64_RANGE = range(-(2**63), 2**64)  # signed and unsigned 64-bit integers: what dlt's files can hold


def huge_integer_at(value: Any, path: str = "$") -> str | None:
    """Where the first integer beyond 64 bits is (a JSONPath), or None; for JSON already checked for depth."""
    if type(value) is int:
        return None if value in _INT64_RANGE else path
    children = value.items() if type(value) is dict else enumerate(value) if type(value) is list else ()
    for key, child in children:
        if where := huge_integer_at(child, f"{path}[{key}]" if type(key) is int else f"{path}.{key}"):
            return where
    return None


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether arrays/objects nest deeper than `limit`.

    Level by level, without recursion (no recursion limit to hit), and with exact type
    tests: it looks at every value of every page, and parsed JSON holds no subclasses.
    """
    level, depth = ([value] if type(value) in _CONTAINERS else []), 1
    while level:
        if depth > limit:
            return True
        deeper: list = []
        add = deeper.append
        for node in level:
            for child in node.values() if type(node) is dict else node:
                if type(child) in _CONTAINERS:
                    add(child)
        level, depth = deeper, depth + 1
    return False
