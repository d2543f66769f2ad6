"""An API's rate limit as its answers state it, and the pace that keeps one run's requests within it.

Read from every answer, whatever its status: `X-RateLimit-Remaining` and
`X-RateLimit-Reset` (seconds, or the epoch second the window resets), the IETF
`RateLimit-Remaining` and `RateLimit-Reset` (seconds), and `Retry-After`
(seconds or an HTTP-date). `RequestPace` turns them, with the policy's
`requests_per_second`, into when the next request of the API may go out;
`ApiGate` (http/gate.py) consults it for every thread of the run.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Mapping, NamedTuple

# A reset this large is an epoch second (2001-09-09 and later), not seconds to wait.
_EPOCH_RESET_FROM = 1_000_000_000
_LEADING_NUMBER = re.compile(r"\s*(\d+)")


@dataclass(frozen=True)
class RateLimitHeaders:
    """What one answer says about the API's rate limit; None where it says nothing."""

    limit: int | None = None  # requests a window allows
    remaining: int | None = None  # requests left in the current window
    reset_seconds: float | None = None  # until the window resets
    retry_after_seconds: float | None = None

    @classmethod
    def of(cls, headers: Mapping[str, str]) -> "RateLimitHeaders":
        return cls(
            limit=_leading_number(_first(headers, "X-RateLimit-Limit", "RateLimit-Limit")),
            remaining=_leading_number(_first(headers, "X-RateLimit-Remaining", "RateLimit-Remaining")),
            reset_seconds=reset_seconds(_first(headers, "X-RateLimit-Reset", "RateLimit-Reset")),
            retry_after_seconds=retry_after_seconds(headers.get("Retry-After")),
        )

    @property
    def wait_seconds(self) -> float | None:
        """How long the API asks to wait: its Retry-After, else the reset of a spent window."""
        if self.retry_after_seconds is not None:
            return self.retry_after_seconds
        window_spent = self.remaining is not None and self.remaining <= 0
        return self.reset_seconds if window_spent else None


class _Answer(NamedTuple):
    ticket: int
    remaining: int
    sent_by_then: int  # tickets issued when it came


class RateLimitWindow:
    """The requests left in the API's current rate-limit window: what its answers said, less what was sent since.

    An answer's count includes the requests sent before it (they reached the API
    first) but not those sent after it and still in flight. Answers can arrive
    out of order, so the estimate is the lowest one, until a later request finds
    more left than an earlier one could explain by overtaking it: the API has
    started a new window (a reset in whole seconds says too little to know
    when). At the reset the window is full again (with the `limit` the API
    stated, if it did).
    """

    def __init__(self, max_wait: float) -> None:
        self._max_wait = max_wait
        self._limit: int | None = None
        self._remaining: int | None = None  # None: unknown
        self._resets: float | None = None  # monotonic; None: unknown
        self._in_flight: set[int] = set()  # tickets, numbered in the order sent
        self._sent = 0
        self._latest_answer: _Answer | None = None  # to the latest-sent request answered so far

    def ready_at(self, now: float) -> float:
        """When a request may go out as far as the window goes."""
        self._roll_over(now)
        if self._remaining is None or self._remaining > 0:
            return now
        if self._resets is not None:
            return self._resets
        return math.inf if self._in_flight else now  # spent, reset unknown: the answers in flight will tell

    def sent(self, now: float) -> int:
        """A ticket for the request, to hand back with its answer."""
        self._roll_over(now)
        if self._remaining is not None:
            self._remaining -= 1
        ticket, self._sent = self._sent, self._sent + 1
        self._in_flight.add(ticket)
        return ticket

    def answered(self, ticket: int, limits: RateLimitHeaders, now: float) -> None:
        self._in_flight.discard(ticket)
        self._roll_over(now)
        self._limit = limits.limit if limits.limit is not None else self._limit
        if limits.remaining is None or limits.reset_seconds is None or not 0 < limits.reset_seconds <= self._max_wait:
            return  # no window, one already over, or one too long to wait for (that answer fails the run)
        left = limits.remaining - sum(1 for later in self._in_flight if later > ticket)
        if self._renewed(ticket, limits.remaining):
            self._remaining, self._resets = left, now + limits.reset_seconds
            return
        self._remaining = left if self._remaining is None else min(self._remaining, left)
        if self._resets is None:
            self._resets = now + limits.reset_seconds

    def unanswered(self, ticket: int) -> None:
        self._in_flight.discard(ticket)

    def _renewed(self, ticket: int, remaining: int) -> bool:
        """Whether the API has more left for this request than for one sent before it, beyond what the
        requests sent in between could have overtaken: a new window."""
        previous = self._latest_answer
        if previous is not None and ticket < previous.ticket:
            return False  # overtaken by the answer to a later request
        self._latest_answer = _Answer(ticket, remaining, sent_by_then=self._sent)
        if previous is None:
            return False
        # Sent after the previous answer came, this request reached the API after that one did.
        could_overtake = 0 if ticket >= previous.sent_by_then else ticket - previous.ticket
        return remaining > previous.remaining + could_overtake

    def _roll_over(self, now: float) -> None:
        if self._resets is not None and now >= self._resets:
            self._remaining, self._resets = self._limit, None


class RequestPace:
    """When the next request of one API may go out (monotonic clock). Not locked: ApiGate calls it under its lock.

    - `requests_per_second`: one request every 1/R s, whichever thread sends it
      (a token bucket that holds one token: the API's window never sees a burst);
    - the API's window (`RateLimitWindow`): none once it is spent, until it resets;
    - `Retry-After`, on any answer: none until it has passed.

    Waits longer than `max_wait` are not taken on: the answer that asks for one fails the run (http/transport.py).
    """

    def __init__(self, requests_per_second: float | None, max_wait: float) -> None:
        self._interval = 1.0 / requests_per_second if requests_per_second else 0.0
        self._max_wait = max_wait
        self._next_slot = 0.0
        self._paused_until = 0.0
        self.window = RateLimitWindow(max_wait)

    def delay(self, now: float) -> float:
        """Seconds until the next request may go out (0 or less: now; infinite: when an answer says)."""
        return max(self._next_slot, self._paused_until, self.window.ready_at(now)) - now

    def sent(self, now: float) -> int:
        """A ticket for the request, to hand back with its answer."""
        self._next_slot = now + self._interval
        return self.window.sent(now)

    def answered(self, ticket: int, limits: RateLimitHeaders, now: float) -> None:
        self.window.answered(ticket, limits, now)
        wait = limits.retry_after_seconds
        if wait is not None and wait <= self._max_wait:
            self._paused_until = max(self._paused_until, now + wait)

    def unanswered(self, ticket: int) -> None:
        self.window.unanswered(ticket)


def retry_after_seconds(header: str | None) -> float | None:
    """Seconds a Retry-After header asks to wait (delta-seconds or HTTP-date), None if absent or unreadable."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        return parsedate_to_datetime(header).timestamp() - time.time()
    except (TypeError, ValueError):
        return None


def reset_seconds(header: str | None) -> float | None:
    """Seconds until a rate-limit window resets, from seconds or an epoch second; None if absent or unreadable."""
    try:
        value = float(header)
    except (TypeError, ValueError):
        return None
    if value >= _EPOCH_RESET_FROM:
        value -= time.time()
    return max(0.0, value)


def _leading_number(header: str | None) -> int | None:
    """`100` of "100", or of the IETF draft's "100, 100;w=60"."""
    match = _LEADING_NUMBER.match(header or "")
    return int(match.group(1)) if match else None


def _first(headers: Mapping[str, str], *names: str) -> str | None:
    return next((headers[name] for name in names if headers.get(name) is not None), None)
