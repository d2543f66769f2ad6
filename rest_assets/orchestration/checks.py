"""Freshness checks, tied to each asset's fastest schedule. (Table checks run in each API's step: engine/checks.py.)"""


import warnings
from contextlib import contextmanager
from typing import Iterator, Sequence

from dagster import AssetChecksDefinition, build_last_update_freshness_checks

from rest_assets.orchestration.schedules import PlannedSync


def build_freshness_checks(syncs: Sequence[PlannedSync]) -> list[AssetChecksDefinition]:
    """Each asset must have been updated within 1.5 schedule intervals at every tick of its fastest schedule.

    Half an interval of slack lets the run started at the previous tick finish.
    """
    fastest = {}
    for sync in sorted(syncs, key=lambda s: s.interval, reverse=True):
        for key in sync.asset_keys:
            fastest[key] = sync
    checks = []
    for sync in {id(s): s for s in fastest.values()}.values():
        keys = [key for key, chosen in fastest.items() if chosen is sync]
        with quiet_supersession():
            checks += build_last_update_freshness_checks(
                assets=keys,
                lower_bound_delta=sync.interval * 1.5,
                deadline_cron=sync.schedule.cron,
                timezone=sync.timezone,
            )
    return checks


@contextmanager
def quiet_supersession() -> Iterator[None]:
    """Dagster 1.13 prefers FreshnessPolicy, which yields no asset check; we want freshness as a check."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is superseded.*")
        yield
