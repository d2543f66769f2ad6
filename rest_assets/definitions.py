"""Entry point for `dagster dev`, `dagster asset materialize -m rest_assets.definitions` and workspace.yaml."""

import sys

from rest_assets.orchestration.executor import start_forkserver_if_executing_a_run

start_forkserver_if_executing_a_run(sys.argv)  # first: its preload then overlaps the imports below

from rest_assets.orchestration.definitions import build_definitions  # noqa: E402

defs = build_definitions()
