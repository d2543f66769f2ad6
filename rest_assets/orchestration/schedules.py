"""One asset job and schedule per entry of each API's `schedules`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Mapping

from croniter import croniter
from dagster import AssetKey, AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

from rest_assets import settings
from rest_assets.engine.declaration import RestApi, Schedule

# Scheduled and change-sensor runs carry their API's name, to filter the Runs page by. (What queues
# a second run of an API is its pool, which every run has, those launched from the asset graph too:
# dagster.yaml.)
SOURCE_TAG = "rest_assets/api"
# Run retries (where the instance enables them) are for crashed runs only: a run that failed
# because an API failed already retried each request, and retrying it whole multiplies requests.
NO_RETRY_ON_API_FAILURE = {"dagster/retry_on_asset_or_op_failure": "false"}
# Dagster's run monitoring (dagster.yaml) ends a run still going after this many seconds.
MAX_RUNTIME_TAG = "dagster/max_runtime"


def max_runtime() -> dict[str, str]:
    """The tag that bounds a generated run: a run that cannot end would hold its API's pool, and queue every later run."""
    seconds = settings.MAX_RUNTIME_SECONDS.number()
    if not seconds >= 1:
        raise ValueError(f"{settings.MAX_RUNTIME_SECONDS.name} must be at least 1 second, not {seconds:g}")
    return {MAX_RUNTIME_TAG: str(int(seconds))}


@dataclass(frozen=True)
class PlannedSync:
    """A schedule of one API, resolved: its name, assets, cron and timezone."""

    api: RestApi
    schedule: Schedule

    @property
    def name(self) -> str:
        return "_".join([self.api.name, *self.schedule.resources])

    @property
    def resources(self) -> list[str]:
        return [r for r in self.api.resource_names if self.schedule.covers(r)]

    @property
    def timezone(self) -> str:
        return self.schedule.timezone or settings.TIMEZONE.value()

    @property
    def interval(self) -> timedelta:
        """Time between two ticks of the cron."""
        return cron_interval(self.schedule.cron)


@cache
def cron_interval(cron: str) -> timedelta:
    """Time between the next two ticks, once per cron in a process: croniter takes ~0.15 ms, asked several times an API."""
    ticks = croniter(cron)
    first = ticks.get_next(float)
    return timedelta(seconds=ticks.get_next(float) - first)


def planned_syncs(apis: list[RestApi]) -> list[PlannedSync]:
    return [PlannedSync(api, schedule) for api in apis for schedule in api.schedules]


def build_schedule(sync: PlannedSync, keys: Mapping[str, AssetKey]) -> ScheduleDefinition:
    """The sync's job and schedule; `keys`: each resource's asset key."""
    asset_keys = list(dict.fromkeys(keys[r] for r in sync.resources))
    job = define_asset_job(
        name=f"{sync.name}_job",
        selection=AssetSelection.assets(*asset_keys),
        tags={SOURCE_TAG: sync.api.name, **NO_RETRY_ON_API_FAILURE, **max_runtime()},
        description=f"Sync {', '.join(k.to_user_string() for k in asset_keys)}.",
    )
    # Stopped until switched on: a fresh checkout has no credentials to run with.
    return ScheduleDefinition(
        name=f"{sync.name}_schedule",
        job=job,
        cron_schedule=sync.schedule.cron,
        execution_timezone=sync.timezone,
        default_status=DefaultScheduleStatus.STOPPED,
        description=schedule_description(sync, asset_keys),
    )


def schedule_description(sync: PlannedSync, keys: list[AssetKey]) -> str:
    what = (f"all {len(keys)} assets of the {sync.api.name} API" if len(keys) == len(sync.api.resource_names) > 1
            else ", ".join(key.to_user_string() for key in keys))
    when = f"Syncs {what} from the API at cron {sync.schedule.cron} ({sync.timezone})."
    if not sync.api.secret_env_vars:
        return f"{when} Starts stopped: switch it on to call the API."
    return (f"{when} Starts stopped: switch it on once the API's credentials are set "
            f"({', '.join(sync.api.secret_env_vars)}).")
