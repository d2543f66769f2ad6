"""What one run does with each selected resource: how its table is written, and where its cursor starts.

`Restatement` is what a run asks beyond a normal sync (the run config of every API's sync op is
this model: orchestration/run_config.py); `SyncPlan` is what the engine makes of it, table by table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, Optional, Sequence

import pendulum
from dlt.extract.source import DltSource
from dlt.sources.rest_api.typing import EndpointResource
from pydantic import BaseModel, Field

from rest_assets.engine.declaration import RestApi
from rest_assets.engine.deletions import SeenKeys, TableWrite, applied_mode
from rest_assets.engine.errors import InvalidRunConfig
from rest_assets.engine.incremental import rewound


class Restatement(BaseModel):
    """What a run asks beyond a normal sync: re-read from a moment, rebuild, or accept a mass deletion."""

    full_refresh: bool = Field(
        default=False,
        description="Rebuild the selected tables from a complete extract: rows the API no longer lists disappear, "
        "whatever `deletions` says (history tables retire them), and incremental cursors restart from their "
        "start date. A child selected alone is rebuilt from a complete walk of its parent.",
    )
    start_from: Optional[str] = Field(
        default=None,
        description="ISO 8601 moment (e.g. 2024-01-05T00:00:00Z): incremental resources among the selected ones "
        "re-read from it and merge, picking up edits the API made without moving their cursor field. Their cursors "
        "then continue from the newest value seen, never from an older one than before.",
    )
    allow_mass_deletion: bool = Field(
        default=False,
        description="Accept, for this run only, deleting more than half of a table's current rows. Without it such "
        "a sync fails and loads nothing: an API that suddenly lists nothing looks just like that.",
    )

    def start_moment(self, now: datetime | None = None) -> pendulum.DateTime | None:
        """`start_from` as a UTC moment; InvalidRunConfig if it does not parse or lies in the future."""
        if self.start_from is None:
            return None
        try:
            moment = pendulum.parse(self.start_from, tz="UTC")
        except ValueError:  # pendulum's ParserError among them
            moment = None
        if not isinstance(moment, pendulum.DateTime):
            raise InvalidRunConfig(
                f"start_from {self.start_from!r} is not an ISO 8601 date and time (e.g. 2024-01-05T00:00:00Z)"
            )
        if moment > (now or datetime.now(timezone.utc)):
            raise InvalidRunConfig(f"start_from {self.start_from!r} is in the future; nothing could be re-read from it")
        return moment.in_tz("UTC")


@dataclass(frozen=True)
class SyncPlan:
    """The selected resources' table writes, and the restatement this run asks for.

    A full refresh starts incremental cursors at their start date; `start_from` at that
    moment; both at the earlier of the two. Otherwise cursors start where they were saved.
    """

    writes: Mapping[str, TableWrite]
    full_refresh: bool = False
    start_from: pendulum.DateTime | None = None
    saved_cursors: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def for_run(cls, api: RestApi, names: Sequence[str], full_refresh: bool = False,
                start_from: pendulum.DateTime | None = None, saved_cursors: Mapping[str, Any] | None = None) -> "SyncPlan":
        return cls(plan_table_writes(api, names, full_refresh), full_refresh, start_from, saved_cursors or {})

    @property
    def restates(self) -> bool:
        return self.full_refresh or self.start_from is not None

    def with_cursor_starts(self, resources: Sequence[EndpointResource]) -> list[EndpointResource]:
        """The resource configs, with the incremental cursors of selected ones rewound where this run restates."""
        return [self._rewound(resource) if resource["name"] in self.writes else resource for resource in resources]

    def _rewound(self, resource: EndpointResource) -> EndpointResource:
        incremental = resource["endpoint"].get("incremental")
        if incremental is None or not self.restates:
            return resource
        starts = [pendulum.parse(str(incremental["initial_value"]))] if self.full_refresh else []
        starts += [self.start_from] if self.start_from is not None else []
        start = min(starts)
        endpoint = {**resource["endpoint"], "incremental": rewound(incremental, start, self.saved_cursors.get(resource["name"]))}
        return {**resource, "endpoint": endpoint}

    def apply(self, source: DltSource) -> None:
        """Set each selected resource's write hints for this run, and record the keys it extracts."""
        for name, write in self.writes.items():
            resource = source.resources[name]
            resource.apply_hints(**write.hints())
            if write.seen is not None:
                resource.add_step(write.seen)


def plan_table_writes(api: RestApi, names: Iterable[str], full_refresh: bool) -> dict[str, TableWrite]:
    """How this run writes each selected resource's table."""
    return {name: table_write(api, name, full_refresh) for name in names}


def table_write(api: RestApi, name: str, full_refresh: bool) -> TableWrite:
    endpoint = api.endpoints[name]
    # A full refresh reads an incremental resource from its start date: a complete listing too.
    complete_listing = full_refresh or endpoint.complete_listing
    write = TableWrite(
        resource=name,
        table=endpoint.table,
        mode=applied_mode(endpoint.deletions, endpoint.merges, complete_listing, full_refresh),
        key_fields=endpoint.primary_key,
        key_columns=endpoint.key_columns,
        merge=endpoint.merges,
        complete_listing=complete_listing,
    )
    if write.tracks_deletions:
        write.seen = SeenKeys(write.key_fields)
    return write
