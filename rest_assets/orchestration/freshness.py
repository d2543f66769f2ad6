"""Freshness policies, tied to each asset's fastest schedule. (Table checks run in each API's step: engine/checks.py.)"""

from __future__ import annotations

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
    # One policy per schedule, shared by its assets: each construction checks the cron again.
    policies = {
        name: FreshnessPolicy.cron(deadline_cron=sync.schedule.cron, lower_bound_delta=sync.interval, timezone=sync.timezone)
        for name, sync in {sync.name: sync for sync in fastest.values()}.items()
    }
    return {resource: policies[sync.name] for resource, sync in fastest.items()}
