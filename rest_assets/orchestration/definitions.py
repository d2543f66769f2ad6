"""Assemble every API's assets, resources, jobs, schedules, sensors and checks into one Definitions."""

from __future__ import annotations

import os

from dagster import Definitions, ExecutorDefinition, multiprocess_executor

from rest_assets.apis import load_apis
from rest_assets.engine.assets import build_api_assets
from rest_assets.engine.warehouse import Warehouse
from rest_assets.orchestration.checks import build_freshness_checks
from rest_assets.orchestration.schedules import build_schedule, planned_syncs
from rest_assets.orchestration.sensors import (
    build_automation_sensor,
    build_change_sensors,
    build_failure_alerts,
    build_freshness_sensor,
)


def build_definitions() -> Definitions:
    """Build the definitions from the API configurations and the environment.

    Secrets are `EnvVar`s resolved when a run starts, so this needs no credentials.
    """
    apis = load_apis()
    syncs = planned_syncs(apis)
    freshness_checks = build_freshness_checks(syncs)
    warehouse = Warehouse.from_env()
    return Definitions(
        assets=[build_api_assets(api, warehouse.destination) for api in apis],
        asset_checks=freshness_checks,
        schedules=[build_schedule(sync) for sync in syncs],
        sensors=[
            *build_change_sensors(apis),
            build_automation_sensor(),
            build_freshness_sensor(freshness_checks),
            build_failure_alerts(apis),
        ],
        resources={"warehouse": warehouse, **{api.resource_key: api.connection for api in apis}},
        executor=executor_from_env(len(apis)),
    )


def executor_from_env(api_count: int) -> ExecutorDefinition:
    """One process per API step, all at once; REST_ASSETS_EXECUTOR=k8s makes each a Kubernetes job.

    Dagster's default runs only as many steps as there are CPUs, so five API syncs went
    in waves although they mostly wait on the network. The forkserver imports dagster,
    dlt and the definitions once instead of in every step (see step_preload).
    """
    if os.environ.get("REST_ASSETS_EXECUTOR") == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor
    return multiprocess_executor.configured(
        {
            "max_concurrent": api_count,
            "start_method": {"forkserver": {"preload_modules": ["rest_assets.orchestration.step_preload"]}},
        }
    )
