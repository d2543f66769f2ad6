"""The Dagster resources of the project: each API's credentials, and the warehouse.

Both wrap plain engine objects (`Credentials`, `Warehouse`), so the engine never sees Dagster:
secrets are `EnvVar`s, read when a run starts and shown in the UI by name.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Optional

from dagster import ConfigurableResource, EnvVar

from rest_assets import settings
from rest_assets.engine.auth import Credentials
from rest_assets.engine.declaration import RestApi
from rest_assets.engine.warehouse import Warehouse


class ApiCredentials(ConfigurableResource):
    """The secrets one API's declaration names (`*_env`), by env var name, and its start date.

    The definitions load without them; a run that needs an unset one fails naming it.
    """

    secrets: dict[str, str] = {}
    start_date: Optional[str] = None

    @classmethod
    def of(cls, api: RestApi) -> "ApiCredentials":
        return cls(
            secrets={name: EnvVar(name) for name in api.secret_env_vars},
            start_date=EnvVar(api.start_date_env) if api.start_date_env else None,
        )

    def credentials(self) -> Credentials:
        return Credentials(secrets=dict(self.secrets), start_date=self.start_date)


class WarehouseResource(ConfigurableResource, Warehouse):
    """The warehouse, as the UI shows it and a test may replace it: the engine's `Warehouse`'s fields."""

    @classmethod
    def from_env(cls) -> "WarehouseResource":
        """The warehouse the REST_ASSETS_* settings describe (rest_assets/settings.py), read when the definitions load.

        One object for equal settings: every API's jobs and the location share it, built once (~1 ms).
        """
        return _warehouse(cls, **warehouse_settings())


@cache
def _warehouse(cls: type[WarehouseResource], **fields: Any) -> WarehouseResource:
    return cls(**fields)


def warehouse_settings() -> dict[str, Any]:
    """The warehouse's fields, from the REST_ASSETS_* settings."""
    return {
        "destination": settings.DESTINATION.value(),
        "duckdb_path": settings.DUCKDB_PATH.value(),
        "data_dir": settings.DATA_DIR.value(),
        "duckdb_memory_limit": settings.DUCKDB_MEMORY_LIMIT.value(),
        "duckdb_lock_timeout_seconds": settings.DUCKDB_LOCK_TIMEOUT_SECONDS.number(),
        "progress_log_seconds": settings.PROGRESS_LOG_SECONDS.number(),
    }
