"""One API's requests across dlt's worker threads: when each may go out, and when none may (`ApiGate`)."""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Callable, Sequence

from requests import HTTPError, Response
from requests.exceptions import ChunkedEncodingError, ConnectionError, Timeout

from rest_assets.engine.errors import ApiGaveUp
from rest_assets.engine.ratelimits import RateLimitHeaders, RequestPace

if TYPE_CHECKING:
    from rest_assets.engine.http.policy import HttpPolicy

# What dlt's retrying session retries besides statuses (its DEFAULT_RETRY_EXCEPTIONS).
RETRIED_EXCEPTIONS = (ConnectionError, Timeout, ChunkedEncodingError)


class ApiGate:
    """One API's requests across dlt's worker threads: when each may go out, and when none may.

    Failures. Until the API's first answer, and after a failure (a status in
    `retry_statuses` other than a 429 that says how long to wait, or a broken
    connection), only one thread sends: the one that saw the failure, retrying
    with dlt's backoff; the others wait. Failures of requests that were already
    in flight when the gate closed count once, not once each. Any other answer
    from the API itself reopens the gate, unless its request was in flight when
    the gate closed (a token endpoint's answer lets the next request out, alone).
    When the first answer refuses the credentials, the failures use up one retry
    budget, or any request uses up its own retries, every waiting and later
    request fails here unsent (`ApiGaveUp`, caused by that failure). A failing
    API thus costs one retry budget per run (plus the requests already in
    flight), and wrong credentials one request, whatever the concurrency.

    Rate limits. Requests to the API (not to its token endpoint) take turns in
    one `RequestPace`: at most `requests_per_second`, and none while the API's
    headers say its window is spent or its Retry-After runs. A 429 that says how
    long to wait is "slow down": everyone waits, and it costs no retry budget
    (dlt still retries that request at most `max_retries` times).
    """

    def __init__(self, policy: HttpPolicy, trusted_urls: Sequence[str]) -> None:
        # The API's own answers are those under its base URL, except its token endpoint's
        # (which may well live under the base URL too).
        self._api_url, *self._token_urls = [url.rstrip("/") for url in trusted_urls]
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
        alone, ticket = self._wait_for_turn(paced=self.is_api(url))  # the token endpoint is not paced
        try:
            response = send()
        except RETRIED_EXCEPTIONS as error:
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
        elif self.is_api(url):
            self._succeeded(alone)
        else:
            self._pass_on()

    def is_api(self, url: str) -> bool:
        """Whether `url` is one of the API's own (under its base URL, not its token endpoint)."""
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

    def _succeeded(self, sent_alone: bool) -> None:
        """The API answered: it is up, unless the request went out before the gate closed. Such an
        answer, late on a slow client, says nothing of the failure since: the owner's retry decides."""
        with self._changed:  # re-entrant: _reopen takes it again
            self._ever_answered = True
            if self._open or sent_alone:
                self._reopen()

    def _reopen(self) -> None:
        with self._changed:
            self._open, self._ever_answered, self._owner, self._failures = True, True, None, 0
            self._changed.notify_all()
