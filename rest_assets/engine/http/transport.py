"""The one session all of a sync's requests to an API go through, and its transport, `GuardedTransport`.

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
  headers say) and shares its failures across threads (`ApiGate`, gate.py);
- reads at most `max_response_mb` of a body, and cuts off an answer not complete
  within `response_deadline_seconds` of sending its request (deadlines.py), a
  timeout that dlt retries;
- requires JSON from every successful answer, not too deeply nested (dlt would
  fail on HTML or a cut-off body with a bare JSONDecodeError), and parses it
  once for all who ask (`ParsedOnceResponse`, responses.py);
- counts each resource's pages and retries (`RequestStats`, attribution.py).

Everything raised here is an `ApiProblem` that names the request (errors.py),
or an `ApiGaveUp` caused by one.
"""

from __future__ import annotations

from typing import Any, Sequence

from dlt.sources.helpers.requests import Client
from requests import PreparedRequest, RequestException, Response, Session
from requests.adapters import HTTPAdapter
from urllib3.util import parse_url

from rest_assets.engine.errors import ForeignOrigin, ResponseDeadlineExceeded, RetryAfterTooLong, UnusableResponse
from rest_assets.engine.http.attribution import IssuedRequest, RequestStats
from rest_assets.engine.http.deadlines import response_deadline, watch_connections
from rest_assets.engine.http.gate import RETRIED_EXCEPTIONS, ApiGate
from rest_assets.engine.http.policy import HttpPolicy
from rest_assets.engine.http.responses import ParsedOnceResponse, huge_integer_at, nesting_exceeds
from rest_assets.engine.ratelimits import RateLimitHeaders

_DEFAULT_PORTS = {"http": 80, "https": 443}
_CHUNK_BYTES = 1 << 16


def api_session(policy: HttpPolicy, trusted_urls: Sequence[str], stats: RequestStats | None = None) -> Session:
    """dlt's retrying session for one API, sending only to the origins of `trusted_urls` (base URL, token URL)."""
    if not trusted_urls:
        raise ValueError("an API's session needs the URLs it may send to (its base URL, and its token URL)")
    session = Client(
        request_timeout=policy.timeout_seconds,
        raise_for_status=False,  # dlt's RESTClient raises itself, with a sanitized URL
        status_codes=policy.retry_statuses,
        request_max_attempts=policy.max_retries + 1,
        request_backoff_factor=policy.backoff_factor,
        request_max_retry_delay=policy.max_retry_delay_seconds,
        respect_retry_after_header=True,
    ).session
    transport = GuardedTransport(policy, trusted_urls, stats or RequestStats())
    for scheme in ("http://", "https://"):
        session.mount(scheme, transport)
    _read_environment_once_per_origin(session)
    return session


def _read_environment_once_per_origin(session: Session) -> None:
    """Let the session read proxy and CA-bundle variables once for each origin, not for every request.

    requests' `merge_environment_settings` scans the whole environment twice a request
    for proxy variables, a tenth of a request's CPU; which proxy an origin takes
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


class GuardedTransport(HTTPAdapter):
    """The transport every request of a sync goes through; see the module docstring."""

    def __init__(self, policy: HttpPolicy, trusted_urls: Sequence[str], stats: RequestStats) -> None:
        super().__init__(pool_maxsize=max(10, policy.max_concurrency))
        self.stats = stats
        self.policy = policy
        self.trusted = {origin(url) for url in trusted_urls}
        self.gate = ApiGate(policy, trusted_urls)

    def send(self, request: PreparedRequest, stream: bool = False, **kwargs: Any) -> Response:
        issued = IssuedRequest.note(request)
        issued.attempts += 1
        self._refuse_foreign_origin(request)
        last_attempt = issued.attempts > self.policy.max_retries
        counted = self.gate.is_api(request.url)  # a page of a resource, not a token request
        try:
            response = self.gate.send(lambda: self._send(request, stream, **kwargs), request.url, last_attempt)
        except RETRIED_EXCEPTIONS:
            if counted:
                self.stats.record(issued.resource, retried=True)
            raise
        if counted:
            self.stats.record(issued.resource, retried=response.status_code in self.policy.retry_statuses)
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


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL, parsed as urllib3 parses it to connect."""
    parsed = parse_url(url)
    scheme = (parsed.scheme or "").lower()
    return scheme, (parsed.host or "").lower(), parsed.port or _DEFAULT_PORTS.get(scheme, 0)


def format_origin(trusted: tuple[str, str, int]) -> str:
    scheme, host, port = trusted
    return f"{scheme}://{host}:{port}"
