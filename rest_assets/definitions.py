"""Entry point for `dagster dev`, `dagster asset materialize -m rest_assets.definitions` and workspace.yaml."""

import gc
import sys

from rest_assets.orchestration.executor import executes_a_run, start_step_forkserver

EXECUTES_A_RUN = executes_a_run(sys.argv)
if EXECUTES_A_RUN:
    start_step_forkserver()  # first, so that its preload overlaps the imports below

from rest_assets.orchestration.definitions import build_definitions  # noqa: E402

defs = build_definitions()

if EXECUTES_A_RUN:
    # What is loaded now lives as long as the process: keep the garbage collector off it.
    # Python's last collection at exit walked it all, ~0.7 s after the run had finished.
    gc.freeze()
