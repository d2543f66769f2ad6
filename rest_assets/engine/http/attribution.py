"""Which resource sent each request, and what a run's requests came to, by resource.

dlt's worker threads extract several resources at once, so the URL a request went
to does not say which resource it served (a child's paths look like any other's);
the resource dlt was extracting when the request was first sent does.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import dlt
from dlt.common.exceptions import ResourceNameNotAvailable


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


class RequestStats:
    """Requests to the API in one run, by the resource that sent them: pages fetched, and attempts that
    failed and were retried (token requests are not counted)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.pages: Counter[str | None] = Counter()
        self.retries: Counter[str | None] = Counter()

    def record(self, resource: str | None, retried: bool) -> None:
        with self._lock:
            (self.retries if retried else self.pages)[resource] += 1

    def totals(self, resource: str) -> tuple[int, int]:
        """(pages, retries) of one resource."""
        with self._lock:
            return self.pages[resource], self.retries[resource]
