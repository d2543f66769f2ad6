"""The run config of every API's sync op: the engine's `Restatement`, as Dagster shows and takes it."""

from __future__ import annotations

from dagster import Config

from rest_assets.engine.plan import Restatement


class SyncConfig(Config, Restatement):
    """`ops: {<api>_sync: {config: ...}}` in the Launchpad, `--config-json` or a job's run config.

    Its fields and their descriptions are `Restatement`'s (engine/plan.py); the sync takes it as is.
    """
