"""Sensors: changes in incremental resources, declarative automation, and failure alerts."""


import json
from typing import Mapping, Sequence

import requests
from dagster import (
    AssetKey,
    AssetSelection,
    AutomationConditionSensorDefinition,
    DagsterEventType,
    DefaultSensorStatus,
    EnvVar,
    RunFailureSensorContext,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from rest_assets import settings
from rest_assets.engine.probe import changed_since, incremental_resources
from rest_assets.engine.declaration import RestApi
from rest_assets.orchestration.metadata import incremental_cursor
from rest_assets.orchestration.schedules import SOURCE_TAG, max_runtime


def build_change_sensor(api: RestApi, resource_name: str, key: AssetKey) -> SensorDefinition:
    """Materialize an incremental resource's asset `key` only when the API has rows newer than the saved cursor."""
    tags = {SOURCE_TAG: api.name, **max_runtime()}  # as a scheduled run of the API

    @sensor(
        name=f"{api.name}_{api.table_name(resource_name)}_changes",
        asset_selection=AssetSelection.assets(key),
        required_resource_keys={api.resource_key},
        minimum_interval_seconds=300,
        default_status=DefaultSensorStatus.STOPPED,  # it calls the API: on once credentials are set
        description=(
            f"Every 5 minutes, one request to {api.endpoints[resource_name].path} for rows changed since the cursor "
            f"the last materialization of {key.to_user_string()} stored; a run only when there is one. Starts "
            "stopped: switch it on once the API's credentials are set."
        ),
    )
    def _changes(context: SensorEvaluationContext, **_resources: object):
        # (Dagster passes required resources as keywords when a sensor is invoked directly.)
        cursor = saved_cursor(context, key)
        if cursor is None:
            return RunRequest(run_key="initial-load", asset_selection=[key], tags=tags)
        if not changed_since(api, resource_name, getattr(context.resources, api.resource_key).credentials(), cursor):
            return SkipReason(f"nothing changed since {cursor}")
        # One run per cursor: ticks before that run finishes ask for the same run.
        return RunRequest(run_key=f"after-{cursor}", asset_selection=[key], tags=tags)

    return _changes


def saved_cursor(context: SensorEvaluationContext, key) -> "str | None":
    """The incremental cursor the last successful materialization stored."""
    event = context.instance.get_latest_materialization_event(key)
    if event is None or event.asset_materialization is None:
        return None
    return incremental_cursor(event.asset_materialization.metadata)


def build_change_sensors(api: RestApi, keys: Mapping[str, AssetKey]) -> list[SensorDefinition]:
    """A change sensor per incremental resource that lands a table; `keys`: each resource's asset key."""
    return [build_change_sensor(api, name, keys[name]) for name in incremental_resources(api) if name in keys]


def build_automation_sensor() -> AutomationConditionSensorDefinition:
    """Evaluates the assets' automation conditions (children follow their parents)."""
    return AutomationConditionSensorDefinition(
        "rest_assets_automation", target=AssetSelection.all(), default_status=DefaultSensorStatus.RUNNING,
        run_tags=max_runtime(),
        description="Declarative automation: a child resource (one read for each row of its parent, like "
                    "taskrouter/workers) is materialized after its parent is, once the parent's primary-key "
                    "check has passed. Other assets have no automation condition: schedules and sensors run them.",
    )


def build_failure_alerts(secret_env_vars: Sequence[str]) -> SensorDefinition:
    """Report a failed run's API, assets and error to the log, and to a webhook if one is set.

    `secret_env_vars`: the variables whose values an alert must never carry.
    """

    @run_failure_sensor(
        name="rest_assets_failure_alerts", default_status=DefaultSensorStatus.RUNNING,
        description=f"For each failed run: its id, job, APIs, assets, error and reason, to the sensor's log and, as JSON, to "
                    f"{settings.ALERT_WEBHOOK_URL.name} when that is set. Credentials never appear in an alert.",
    )
    def _alerts(context: RunFailureSensorContext):
        alert = failure_alert(context, secret_env_vars)
        context.log.error(json.dumps(alert))
        if url := settings.ALERT_WEBHOOK_URL.value():
            requests.post(url, json=alert, timeout=10).raise_for_status()

    return _alerts


def failure_alert(context: RunFailureSensorContext, secret_env_vars: Sequence[str]) -> dict:
    assets = sorted(key.to_user_string() for key in planned_assets(context))
    errors = [event.event_specific_data.error.message.strip() for event in context.get_step_failure_events()]
    alert = {
        "run_id": context.dagster_run.run_id,
        "job": context.dagster_run.job_name,
        "apis": sorted({asset.split("/")[0] for asset in assets}),
        "assets": assets,
        "error": "\n".join(errors) or context.failure_event.message,
        # Why the run failed as a whole: its steps failed, or Dagster ended it (e.g. past its maximum runtime).
        "reason": context.failure_event.message,
    }
    return redact(alert, [value for name in secret_env_vars if (value := EnvVar(name).get_value())])


def planned_assets(context: RunFailureSensorContext) -> set:
    """The assets the run set out to materialize (its selection may be implicit)."""
    records = context.instance.get_records_for_run(
        run_id=context.dagster_run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION_PLANNED
    ).records
    return {record.event_log_entry.dagster_event.asset_key for record in records}


def redact(alert: dict, secrets: Sequence[str]) -> dict:
    """Belt and braces: error texts are built without secrets, but never forward one."""
    text = json.dumps(alert)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(json.dumps(secret)[1:-1], "***")
    return json.loads(text)
