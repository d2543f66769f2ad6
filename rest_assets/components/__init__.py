"""The project's Dagster component type: `RestApiComponent` (one REST API, declared in a defs.yaml)."""

from rest_assets.components.rest_api import RestApiComponent

__all__ = ["RestApiComponent"]
