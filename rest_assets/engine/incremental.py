"""Incremental cursors: how the first run starts and how the cursor is sent."""

from __future__ import annotations

import copy
from typing import Any, Callable, Sequence

import pendulum
from dlt.sources.rest_api.typing import EndpointResource

# Canonical form of a start date; sorts like the timestamps APIs return.
ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"


def datetime_param(fmt: str) -> Callable[[Any], str]:
    """Format a cursor value (ISO string, date or datetime) the way the API's filter expects."""

    def convert(value: Any) -> str:
        moment = value if isinstance(value, pendulum.DateTime) else pendulum.parse(str(value))
        return moment.in_tz("UTC").strftime(fmt)

    return convert


def with_start_date(resources: Sequence[EndpointResource], start_date: str | None) -> list[EndpointResource]:
    """Resources whose incremental cursors without an initial value start at `start_date`."""
    resources = copy.deepcopy(list(resources))
    for resource in resources:
        endpoint = resource.get("endpoint")
        incremental = endpoint.get("incremental") if isinstance(endpoint, dict) else None
        if incremental is not None and incremental.get("initial_value") is None:
            if not start_date:
                raise ValueError(f"resource '{resource['name']}' is incremental and needs a start date")
            incremental["initial_value"] = datetime_param(ISO_UTC)(start_date)
    return resources


def rewound(incremental: dict[str, Any], start: pendulum.DateTime, saved_cursor: Any) -> dict[str, Any]:
    """An incremental config that reads from `start` in this run although its cursor is saved later.

    dlt's `lag` steps back from the saved cursor (no further than `initial_value`), and keeps
    the cursor from moving backwards: afterwards it is the newest value seen, never older
    than it was.
    """
    initial = pendulum.parse(str(incremental["initial_value"]))
    changed = {**incremental, "initial_value": datetime_param(ISO_UTC)(min(initial, start))}
    if saved_cursor is not None and (cursor := pendulum.parse(str(saved_cursor))) > start:
        changed["lag"] = (cursor - start).total_seconds()
    return changed
