"""The run config of every API's sync op: restating tables, and accepting a mass deletion once."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

import pendulum
from dagster import Config
from pydantic import Field

from rest_assets.engine.errors import InvalidRunConfig


class SyncConfig(Config):
    """`ops: {<api>_sync: {config: ...}}` in the Launchpad, `--config-json` or a job's run config."""

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
