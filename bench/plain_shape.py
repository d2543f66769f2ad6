"""The project's shape written in plain Dagster: what the many-APIs pass measures the project against.

`plain_definitions(apis, copies)` builds with Dagster alone (no components, no dlt, no YAML) what the
project builds for each API: one subsettable multi-asset with a blocking check per keyed asset, its
specs' descriptions, kinds, owners, tags, metadata and cron freshness policies (a policy per
schedule of each API, as a module per API declares its own; with `share_policies`, one object per
distinct policy in the whole location, as the project builds them); a credentials resource holding
the API's env vars; an asset job and a schedule per schedule; a change sensor per incremental
resource; and what the APIs share: a warehouse resource, the automation and failure sensors. `plain_assets(apis, copies)`: the same asset keys as no-op `@asset`s,
Dagster's own one-asset run at that size.

`apis` is plain data, `api_shapes(defs)` of the project's own definitions; `copies` repeats each API
under new names (`agency`, `agency_1`, `agency_2`, ...), as the pass copies the project's defs.yaml.
"""

from datetime import timedelta
from functools import cache
from typing import Any, Iterator, Optional

import dagster as dg

CHILD_AUTOMATION_LABEL = "eager, after the parent's blocking checks pass"


# --- the shape, as data ---------------------------------------------------------------------------


def api_shapes(defs: dg.Definitions) -> list[dict[str, Any]]:
    """Each API of the project's definitions as plain data: what `plain_definitions` builds again."""
    graph = defs.resolve_asset_graph()
    apis = {}
    for assets_def in defs.assets:
        specs = list(assets_def.specs)
        name = specs[0].group_name
        credentials = defs.resources[f"{name}_api"]
        apis[name] = {
            "name": name,
            "assets": [_asset_shape(spec) for spec in specs],
            "checks": [{"table": check.asset_key.path[-1], "name": check.name, "description": check.description}
                       for check in assets_def.check_specs],
            "secrets": sorted(credentials.secrets),
            "start_date": credentials.start_date,
            "schedules": [],
            "sensors": [],
        }
    repository = defs.get_repository_def()
    for schedule in defs.schedules:
        job = repository.get_job(schedule.job_name)
        selected = job.asset_layer.executable_asset_keys
        api = apis[next(iter(selected)).path[0]]
        api["schedules"].append({
            "suffix": schedule.name.removeprefix(api["name"]), "job_suffix": job.name.removeprefix(api["name"]),
            "cron": schedule.cron_schedule, "timezone": schedule.execution_timezone,
            "tables": sorted(key.path[-1] for key in selected), "tags": dict(job.tags), "description": schedule.description,
        })
    for sensor in defs.sensors:
        if sensor.asset_selection is not None and sensor.required_resource_keys:  # a change sensor
            (key,) = sensor.asset_selection.resolve(graph)
            api = apis[key.path[0]]
            api["sensors"].append({"suffix": sensor.name.removeprefix(api["name"]), "table": key.path[-1],
                                   "description": sensor.description})
    return list(apis.values())


def _asset_shape(spec: dg.AssetSpec) -> dict[str, Any]:
    policy = spec.freshness_policy
    return {
        "table": spec.key.path[-1],
        "deps": [dep.asset_key.path[-1] for dep in spec.deps],
        "description": spec.description,
        "kinds": sorted(spec.kinds),
        "owners": list(spec.owners),
        "metadata": {key: value for key, value in spec.metadata.items() if isinstance(value, str)},
        "freshness": (policy.deadline_cron, int(policy.lower_bound_delta.total_seconds()), policy.timezone)
        if policy else None,
    }


def copies_of(apis: list[dict[str, Any]], copies: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, API) for each API and its copies: `agency`, then `agency_1` ... `agency_<copies - 1>`."""
    for k in range(copies):
        for api in apis:
            yield (f"{api['name']}_{k}" if k else api["name"]), api


# --- plain Dagster ------------------------------------------------------------------------------


class ApiCredentials(dg.ConfigurableResource):
    """An API's secrets by env var name, and its start date: read when a run starts."""

    secrets: dict[str, str] = {}
    start_date: Optional[str] = None


class Warehouse(dg.ConfigurableResource):
    destination: str = "duckdb"
    duckdb_path: str = "data/plain.duckdb"
    data_dir: str = "data"
    duckdb_memory_limit: str = "128MB"
    duckdb_lock_timeout_seconds: float = 120.0
    progress_log_seconds: float = 10.0


def freshness_policy(cron: str, lower_bound_seconds: int, timezone: str) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.cron(deadline_cron=cron, lower_bound_delta=timedelta(seconds=lower_bound_seconds),
                                   timezone=timezone)


shared_freshness_policy = cache(freshness_policy)


@cache
def follows_parent() -> dg.AutomationCondition:
    return (dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()).with_label(
        CHILD_AUTOMATION_LABEL)


def _env_var(name: str, api_name: str, original: str) -> str:
    """The copy's own env var: `AGENCY_API_TOKEN` of `agency_3` is `AGENCY_3_API_TOKEN`."""
    return name.replace(original.upper() + "_", api_name.upper() + "_", 1)


def api_definitions(name: str, api: dict[str, Any], share_policies: bool = False) -> dg.Definitions:
    """One API, named `name`: its multi-asset and checks, credentials, jobs and schedules, change sensors."""
    key = {asset["table"]: dg.AssetKey([name, asset["table"]]) for asset in api["assets"]}
    policy = shared_freshness_policy if share_policies else cache(freshness_policy)  # per API: one per schedule
    resource_key = f"{name}_api"
    specs = [
        dg.AssetSpec(
            key[asset["table"]], deps=[key[dep] for dep in asset["deps"]], group_name=name,
            description=asset["description"], kinds=set(asset["kinds"]), owners=asset["owners"], tags={"api": name},
            metadata=asset["metadata"], freshness_policy=policy(*asset["freshness"]) if asset["freshness"] else None,
            automation_condition=follows_parent() if asset["deps"] else None,
        )
        for asset in api["assets"]
    ]
    checks = [dg.AssetCheckSpec(check["name"], asset=key[check["table"]], blocking=True, description=check["description"])
              for check in api["checks"]]

    @dg.multi_asset(name=f"{name}_sync", specs=specs, check_specs=checks, can_subset=True,
                    required_resource_keys={resource_key, "warehouse"}, pool=resource_key)
    def _sync(context: dg.AssetExecutionContext):
        for selected in context.selected_asset_keys:
            yield dg.MaterializeResult(asset_key=selected)
        for check_key in context.selected_asset_check_keys:
            yield dg.AssetCheckResult(asset_key=check_key.asset_key, check_name=check_key.name, passed=True)

    schedules = []
    for schedule in api["schedules"]:
        keys = [key[table] for table in schedule["tables"]]
        job = dg.define_asset_job(
            name=f"{name}{schedule['job_suffix']}", selection=dg.AssetSelection.assets(*keys),
            tags={**schedule["tags"], "rest_assets/api": name},
            description=f"Sync {', '.join(k.to_user_string() for k in keys)}.")
        schedules.append(dg.ScheduleDefinition(
            name=f"{name}{schedule['suffix']}", job=job, cron_schedule=schedule["cron"],
            execution_timezone=schedule["timezone"], default_status=dg.DefaultScheduleStatus.STOPPED,
            description=schedule["description"]))
    sensors = [_change_sensor(f"{name}{sensor['suffix']}", key[sensor["table"]], resource_key, sensor["description"])
               for sensor in api["sensors"]]
    secrets = {(var := _env_var(secret, name, api["name"])): dg.EnvVar(var) for secret in api["secrets"]}
    start_date = dg.EnvVar(_env_var(api["start_date"], name, api["name"])) if api["start_date"] else None
    return dg.Definitions(assets=[_sync], schedules=schedules, sensors=sensors,
                          resources={resource_key: ApiCredentials(secrets=secrets, start_date=start_date)})


def _change_sensor(name: str, key: dg.AssetKey, resource_key: str, description: str) -> dg.SensorDefinition:
    @dg.sensor(name=name, asset_selection=dg.AssetSelection.assets(key), required_resource_keys={resource_key},
               minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.STOPPED, description=description)
    def _changes(context: dg.SensorEvaluationContext):
        return dg.SkipReason("nothing changed")

    return _changes


@dg.run_failure_sensor(name="rest_assets_failure_alerts", default_status=dg.DefaultSensorStatus.RUNNING)
def failure_alerts(context: dg.RunFailureSensorContext):
    context.log.error(context.failure_event.message)


def plain_definitions(apis: list[dict[str, Any]], copies: int = 1, share_policies: bool = False) -> dg.Definitions:
    """The project's shape with `copies` of each API, in plain Dagster."""
    shared = dg.Definitions(
        resources={"warehouse": Warehouse()},
        sensors=[dg.AutomationConditionSensorDefinition("rest_assets_automation", target=dg.AssetSelection.all(),
                                                        default_status=dg.DefaultSensorStatus.RUNNING),
                 failure_alerts],
    )
    return dg.Definitions.merge(*[api_definitions(name, api, share_policies) for name, api in copies_of(apis, copies)],
                                shared)


def plain_assets(apis: list[dict[str, Any]], copies: int = 1) -> dg.Definitions:
    """The same asset keys as no-op `@asset`s: no deps, no checks, no resources."""

    def noop(key: dg.AssetKey) -> dg.AssetsDefinition:
        @dg.asset(key=key)
        def _noop() -> None:
            """Nothing to do: what is measured is Dagster around it."""

        return _noop

    return dg.Definitions(assets=[noop(dg.AssetKey([name, asset["table"]]))
                                  for name, api in copies_of(apis, copies) for asset in api["assets"]])
