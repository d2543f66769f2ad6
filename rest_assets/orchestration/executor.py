"""How a run's steps execute: one process per API step, forked from a forkserver that imported everything once."""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os

from dagster import ExecutorDefinition, multiprocess_executor

# What the forkserver imports before forking steps. Dagster puts its own executor module
# first; the list must match it for an early-started forkserver to be the one it uses.
FORKSERVER_PRELOAD = ["dagster._core.executor.multiprocess", "rest_assets.orchestration.step_preload"]

# `dagster ...` commands whose own process goes on to execute a run with this executor.
RUN_EXECUTING_COMMANDS = {("asset", "materialize"), ("job", "execute"), ("api", "execute_run")}


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
        {"max_concurrent": api_count, "start_method": {"forkserver": {"preload_modules": FORKSERVER_PRELOAD[1:]}}}
    )


def executes_a_run(argv: list[str]) -> bool:
    """Whether this process loads the definitions to execute a run itself, with this executor.

    Other processes (webserver, daemon, code server, tests) get neither an early
    forkserver nor frozen objects.
    """
    return (
        tuple(argv[1:3]) in RUN_EXECUTING_COMMANDS
        and multiprocessing.parent_process() is None
        and os.environ.get("REST_ASSETS_EXECUTOR") != "k8s"
    )


def start_step_forkserver() -> None:
    """Start the forkserver that the executor will fork steps from, with its preload.

    Dagster starts it only when the first step launches, after the run's creation has
    written a planned event for every asset and check; its preload then held back every
    step by ~3 s of imports. Started before the definitions import dlt, the preload
    overlaps that import and the run's creation on the second core.
    """
    multiprocessing.forkserver.set_forkserver_preload(FORKSERVER_PRELOAD)
    multiprocessing.forkserver.ensure_running()
