"""A server-side rate limit per API, as real APIs enforce it: fixed one-second windows.

    Simulator(rate_limit=RateLimit(20))                      # every API: 20 requests a second each
    Simulator(rate_limit=RateLimit(20, apis=("agency",)))    # only agency
    Simulator(rate_limit=RateLimit(20, headers="ietf"))      # RateLimit-* instead of X-RateLimit-*

Each API counts its own requests (token requests are not counted) in windows
aligned to whole seconds of the wall clock. Every answer carries the limit, the
requests left in the window and when it resets; a request beyond the limit is
answered 429 with `Retry-After` (whole seconds, as HTTP has them).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

HEADER_STYLES = ("x-ratelimit", "ietf")
RESET_STYLES = ("epoch", "seconds")


@dataclass(frozen=True)
class RateLimit:
    """`requests_per_second` per API.

    `headers`: "x-ratelimit" (`X-RateLimit-Limit/Remaining/Reset`) or "ietf"
    (`RateLimit-Limit/Remaining/Reset`). `reset`: "epoch" (the epoch second the
    window ends, as GitHub sends it) or "seconds" (whole seconds until then);
    the IETF form is always "seconds".
    """

    requests_per_second: int
    headers: str = "x-ratelimit"
    reset: str = "epoch"
    apis: tuple[str, ...] = ()  # empty: every API

    def __post_init__(self) -> None:
        if self.requests_per_second < 1:
            raise ValueError(f"requests_per_second must be at least 1, not {self.requests_per_second}")
        if self.headers not in HEADER_STYLES:
            raise ValueError(f"headers must be one of {HEADER_STYLES}, not {self.headers!r}")
        if self.reset not in RESET_STYLES:
            raise ValueError(f"reset must be one of {RESET_STYLES}, not {self.reset!r}")

    def applies_to(self, api: str) -> bool:
        return not self.apis or api in self.apis


@dataclass
class Admission:
    """Whether a request is served, and the headers its answer carries."""

    allowed: bool
    headers: dict[str, str]


class RateLimiter:
    """The windows of every API under one `RateLimit`; thread-safe."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._windows: dict[str, tuple[int, int]] = {}  # api -> (window start, requests in it)
        self._lock = threading.Lock()

    def admit(self, api: str) -> Admission:
        now = time.time()
        window = math.floor(now)
        with self._lock:
            start, used = self._windows.get(api, (window, 0))
            used = used + 1 if start == window else 1
            self._windows[api] = (window, used)
        allowed = used <= self.limit.requests_per_second
        headers = self._headers(remaining=max(0, self.limit.requests_per_second - used), now=now, window_end=window + 1)
        if not allowed:
            headers["Retry-After"] = str(_whole_seconds(window + 1 - now))
        return Admission(allowed, headers)

    def _headers(self, remaining: int, now: float, window_end: int) -> dict[str, str]:
        prefix = "RateLimit" if self.limit.headers == "ietf" else "X-RateLimit"
        epoch = self.limit.reset == "epoch" and self.limit.headers != "ietf"
        reset = window_end if epoch else _whole_seconds(window_end - now)
        return {
            f"{prefix}-Limit": str(self.limit.requests_per_second),
            f"{prefix}-Remaining": str(remaining),
            f"{prefix}-Reset": str(reset),
        }


def _whole_seconds(seconds: float) -> int:
    """At least the time left, in whole seconds (never 0: the window has not ended yet)."""
    return max(1, math.ceil(seconds))
