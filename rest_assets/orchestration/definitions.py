"""Assemble every API's assets and resources into one Definitions object."""

from __future__ import annotations

from dagster import Definitions

from rest_assets.apis import load_apis
from rest_assets.engine.assets import build_api_assets
from rest_assets.engine.warehouse import Warehouse


def build_definitions() -> Definitions:
    """Build the definitions from the API configurations and the environment.

    Secrets are `EnvVar`s resolved when a run starts, so this needs no credentials.
    """
    apis = load_apis()
    return Definitions(
        assets=[build_api_assets(api) for api in apis],
        resources={"warehouse": Warehouse.from_env(), **{api.resource_key: api.connection for api in apis}},
    )
