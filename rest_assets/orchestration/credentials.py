"""An API's credentials as a Dagster resource: each secret an `EnvVar`, read when a run starts, shown by name."""

from __future__ import annotations

from typing import Optional

from dagster import ConfigurableResource, EnvVar

from rest_assets.engine.auth import Credentials
from rest_assets.engine.declaration import RestApi


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
