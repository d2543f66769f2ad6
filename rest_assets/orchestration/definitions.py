"""The definitions of some APIs, with the ones all APIs share (warehouse, executor, automation, alerts)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Sequence

import dagster as dg
from dagster import Definitions

from rest_assets.engine.declaration import RestApi
from rest_assets.orchestration.api import api_definitions
from rest_assets.orchestration.executor import executor_from_env
from rest_assets.orchestration.resources import ApiCredentials, WarehouseResource
from rest_assets.orchestration.sensors import build_automation_sensor, build_failure_alerts


def build_definitions(apis: Sequence[RestApi]) -> Definitions:
    """The definitions of `apis` (declarations, not components: no translation), with the shared ones.

    Secrets are `EnvVar`s resolved when a run starts, so this needs no credentials.
    """
    return shared_definitions(Definitions.merge(*[api_definitions(api) for api in apis]))


def shared_definitions(apis: Definitions) -> Definitions:
    """What every API shares: the warehouse, the executor, declarative automation and failure alerts."""
    credentials = [resource for resource in apis.resources.values() if isinstance(resource, ApiCredentials)]
    secret_env_vars = sorted(name for resource in credentials for name in resource.secrets)
    return Definitions.merge(apis, Definitions(
        resources={"warehouse": WarehouseResource.from_env()},
        sensors=[build_automation_sensor(), build_failure_alerts(secret_env_vars)],
        executor=executor_from_env(len(credentials)),
    ))


def tree_definitions(defs_module: ModuleType, project_root: Path) -> Definitions:
    """The definitions of the components in a defs module's folders, loaded by Dagster's own tree (as `dg` does):
    each defs.yaml's `type` names its component, which Dagster imports."""
    return dg.ComponentTree.from_module(defs_module=defs_module, project_root=project_root).build_defs()
