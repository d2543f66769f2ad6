"""The run config of every API's sync op: restating tables, and accepting a mass deletion once."""

from __future__ import annotations

from typing import Optional

from dagster import Config
from pydantic import Field

from rest_assets.engine.sync import Restatement


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

    def restatement(self) -> Restatement:
        return Restatement(self.full_refresh, self.start_from, self.allow_mass_deletion)
