"""How a run's steps execute: a run of one API in the orchestrating process; of several, one process per
API step, forked from the orchestrating process, which has already loaded everything."""

from __future__ import annotations

import gc
import importlib
import threading

from dagster import (
    Executor,
    ExecutorDefinition,
    InitExecutorContext,
    executor,
    in_process_executor,
    multiprocess_executor,
)

from rest_assets import settings

# What every step process needs, imported once before the steps are forked.
STEP_PRELOAD = "rest_assets.orchestration.step_preload"


class ApiStepsExecutor(Executor):
    """Dagster's in-process executor for a run of one step, its multiprocess executor for more.

    Most runs sync one API (a schedule, a sensor, a click in the UI): one step, run where Dagster,
    dlt and the definitions are already loaded. Several steps get a process each, to sync their APIs
    in parallel, forked from this process once it has imported what a step needs (`STEP_PRELOAD`):
    a forkserver had to import Dagster, dlt and the definitions again first, ~3 s on two cores
    before any step could start (bench/README.md, "Round 4"). Forking is safe only while this
    process runs no other thread (a lock another thread holds stays locked in the child), so with
    more threads alive, or a `start_method` set in the run's executor config, it is Dagster's own
    choice again: a forkserver that preloads `STEP_PRELOAD`.
    """

    def __init__(self, init_context: InitExecutorContext) -> None:
        self._init_context = init_context
        config = init_context.executor_config
        in_process_config = {key: config[key] for key in ("retries", "step_dependency_config") if key in config}
        self._in_process = in_process_executor.executor_creation_fn(init_context._replace(executor_config=in_process_config))

    @property
    def retries(self):
        return self._in_process.retries

    @property
    def step_dependency_config(self):
        return self._in_process.step_dependency_config

    def execute(self, plan_context, execution_plan):
        if len(execution_plan.step_keys_to_execute) == 1:
            return self._in_process.execute(plan_context, execution_plan)
        return self._step_processes().execute(plan_context, execution_plan)

    def _step_processes(self) -> Executor:
        config = self._init_context.executor_config
        start_method = step_start_method(config, threading.active_count())
        if "fork" in start_method:
            importlib.import_module(STEP_PRELOAD)
        forking = self._init_context._replace(executor_config={**config, "start_method": start_method})
        return multiprocess_executor.executor_creation_fn(forking)


def step_start_method(executor_config: dict, threads: int) -> dict:
    """How the step processes start: as the run's executor config says, else forked from this
    process when it runs one thread, else from a forkserver that preloads what a step needs."""
    if "start_method" in executor_config:
        return executor_config["start_method"]
    if threads == 1:
        return {"fork": {}}
    return {"forkserver": {"preload_modules": [STEP_PRELOAD]}}


@executor(
    name="api_steps",
    config_schema=multiprocess_executor.config_schema,
    requirements=multiprocess_executor.get_requirements,
)
def api_steps_executor(init_context: InitExecutorContext) -> Executor:
    """The executor, in the process that orchestrates a run (the CLI, a run worker).

    What that process loaded (Dagster, dlt, the definitions) lives until it exits: frozen out of
    the garbage collector here, the collection at its exit no longer walks it all, and forked step
    processes do not copy its pages by collecting them (bench/README.md, "Why the code is so").
    Nothing else loads the definitions and then does this.
    """
    gc.freeze()
    return ApiStepsExecutor(init_context)


def executor_from_env(api_count: int) -> ExecutorDefinition:
    """A run of one API in the orchestrating process; of several, one process per API step, all at once;
    REST_ASSETS_EXECUTOR=k8s makes each a Kubernetes job.

    Dagster's default runs only as many steps as there are CPUs, so five API syncs went
    in waves although they mostly wait on the network.
    """
    if settings.EXECUTOR.value() == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor
    return api_steps_executor.configured({"max_concurrent": max(api_count, 1)})
