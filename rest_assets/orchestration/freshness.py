"""Freshness policies, tied to each asset's fastest schedule. (Table checks run in each API's step: engine/checks.py.)"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Sequence

from dagster import FreshnessPolicy

from rest_assets.orchestration.schedules import PlannedSync


def freshness_policies(syncs: Sequence[PlannedSync]) -> dict[str, FreshnessPolicy]:
    """Per resource: its asset must have been updated in the interval before every tick of its fastest schedule.

    The run started at one tick lands inside the window that the next tick closes.
    Dagster's daemon evaluates the policies and the UI shows them as asset health.
    They replace freshness checks, which Dagster supersedes: run inside every
    materialization, those passed by construction, at the cost of a step per schedule
    and three events per asset in each run.
    """
    fastest: dict[str, PlannedSync] = {}
    for sync in sorted(syncs, key=lambda s: s.interval, reverse=True):
        for resource in sync.resources:
            fastest[resource] = sync
    return {resource: cron_policy(sync.schedule.cron, sync.interval, sync.timezone) for resource, sync in fastest.items()}


@cache
def cron_policy(cron: str, lower_bound: timedelta, timezone: str) -> FreshnessPolicy:
    """One policy object per cron, window and timezone, shared by every asset and API it applies to:
    each construction checks its cron again by walking its ticks (~10 ms), and most APIs sync daily alike."""
    return FreshnessPolicy.cron(deadline_cron=cron, lower_bound_delta=lower_bound, timezone=timezone)
