"""An API's HTTP policy: its timeouts, deadlines, retries and limits, and their overrides from the environment."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from rest_assets import settings


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
                variables = ", ".join(setting.named(field=name).name for setting in (settings.HTTP, settings.API_HTTP))
                raise ValueError(f"{name} ({variables}) must be more than 0, not {value:g}")

    def with_env(self, api_name: str) -> "HttpPolicy":
        """This policy with the overrides the environment sets (settings.HTTP, and settings.API_HTTP, which wins)."""
        changes: dict[str, Any] = {}
        for setting in (settings.HTTP, settings.API_HTTP):
            for policy_field in dataclasses.fields(self):
                variable = setting.named(api=api_name, field=policy_field.name)
                if (text := variable.value()) is not None:
                    changes[policy_field.name] = _parse(variable.name, text, getattr(self, policy_field.name))
        return dataclasses.replace(self, **changes)


def _parse(name: str, text: str, default: Any) -> Any:
    kind = float if default is None else type(default)  # the fields unset by default are numbers
    try:
        if kind is tuple:
            return tuple(int(part) for part in text.split(",") if part.strip())
        return kind(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a valid {kind.__name__}") from None
