"""Entry point for `dagster dev`, `dagster asset materialize -m rest_assets.definitions` and workspace.yaml."""

from rest_assets.orchestration.definitions import build_definitions

defs = build_definitions()
