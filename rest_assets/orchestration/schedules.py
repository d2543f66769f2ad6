"""One asset job and schedule per entry of each API's `schedules`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from croniter import croniter
from dagster import (
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    DefaultScheduleStatus,
    Definitions,
    JobDefinition,
    ScheduleDefinition,
    define_asset_job,
)

from rest_assets import settings
from rest_assets.engine.declaration import RestApi, Schedule

if TYPE_CHECKING:  # what `define_asset_job` returns (not exported by Dagster)
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

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


def build_schedules(
    syncs: Sequence[PlannedSync], keys: Mapping[str, AssetKey], assets: AssetsDefinition, resources: Mapping[str, Any]
) -> list[ScheduleDefinition]:
    """One API's jobs and schedules; `keys`: each resource's asset key, `assets`: the API's multi-asset.

    The jobs are resolved here, against the API's own assets and the resources they need
    (`resources`). Resolved by Dagster, an asset job carries every resource of the location, and its
    snapshot every resource's config schema: each API's credentials in each API's jobs, a cost that
    grows with the square of the APIs (docs/many-apis.md).
    """
    jobs = [sync_job(sync, keys) for sync in syncs]
    own = Definitions(assets=[assets], jobs=jobs, resources=resources)
    return [build_schedule(sync, own.resolve_job_def(job.name), keys) for sync, job in zip(syncs, jobs)]


def sync_job(sync: PlannedSync, keys: Mapping[str, AssetKey]) -> "UnresolvedAssetJobDefinition":
    asset_keys = sync_keys(sync, keys)
    return define_asset_job(
        name=f"{sync.name}_job",
        selection=AssetSelection.assets(*asset_keys),
        tags={SOURCE_TAG: sync.api.name, **NO_RETRY_ON_API_FAILURE, **max_runtime()},
        description=f"Sync {', '.join(k.to_user_string() for k in asset_keys)}.",
    )


def build_schedule(sync: PlannedSync, job: JobDefinition, keys: Mapping[str, AssetKey]) -> ScheduleDefinition:
    # Stopped until switched on: a fresh checkout has no credentials to run with.
    return ScheduleDefinition(
        name=f"{sync.name}_schedule",
        job=job,
        cron_schedule=sync.schedule.cron,
        execution_timezone=sync.timezone,
        default_status=DefaultScheduleStatus.STOPPED,
        description=schedule_description(sync, sync_keys(sync, keys)),
    )


def sync_keys(sync: PlannedSync, keys: Mapping[str, AssetKey]) -> list[AssetKey]:
    """The assets a sync materializes: its resources' (several resources may land one table)."""
    return list(dict.fromkeys(keys[r] for r in sync.resources))


def schedule_description(sync: PlannedSync, keys: list[AssetKey]) -> str:
    what = (f"all {len(keys)} assets of the {sync.api.name} API" if len(keys) == len(sync.api.resource_names) > 1
            else ", ".join(key.to_user_string() for key in keys))
    when = f"Syncs {what} from the API at cron {sync.schedule.cron} ({sync.timezone})."
    if not sync.api.secret_env_vars:
        return f"{when} Starts stopped: switch it on to call the API."
    return (f"{when} Starts stopped: switch it on once the API's credentials are set "
            f"({', '.join(sync.api.secret_env_vars)}).")
