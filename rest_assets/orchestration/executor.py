"""How a run's steps execute: a run of one API in the orchestrating process; of several, one process per
API step, forked from a forkserver that imported everything once."""

from __future__ import annotations

import gc

from dagster import (
    Executor,
    ExecutorDefinition,
    InitExecutorContext,
    executor,
    in_process_executor,
    multiprocess_executor,
)

from rest_assets import settings

# What the forkserver imports once, before it forks each step (Dagster's multiprocess executor option).
STEP_PRELOAD = "rest_assets.orchestration.step_preload"


class ApiStepsExecutor(Executor):
    """Dagster's in-process executor for a run of one step, its multiprocess executor for more.

    Most runs sync one API (a schedule, a sensor, a click in the UI): one step. In its own process
    that step waited for a forkserver to start and import Dagster, dlt and the definitions again,
    after the orchestrating process had done the same; run where they are already loaded, it
    starts at once (bench/README.md, "Round 4"). Several steps still get a process each, to
    sync their APIs in parallel.
    """

    def __init__(self, init_context: InitExecutorContext) -> None:
        self._multiprocess = multiprocess_executor.executor_creation_fn(init_context)
        config = init_context.executor_config
        in_process_config = {key: config[key] for key in ("retries", "step_dependency_config") if key in config}
        self._in_process = in_process_executor.executor_creation_fn(init_context._replace(executor_config=in_process_config))

    @property
    def retries(self):
        return self._multiprocess.retries

    @property
    def step_dependency_config(self):
        return self._multiprocess.step_dependency_config

    def execute(self, plan_context, execution_plan):
        one_step = len(execution_plan.step_keys_to_execute) == 1
        return (self._in_process if one_step else self._multiprocess).execute(plan_context, execution_plan)


@executor(
    name="api_steps",
    config_schema=multiprocess_executor.config_schema,
    requirements=multiprocess_executor.get_requirements,
)
def api_steps_executor(init_context: InitExecutorContext) -> Executor:
    """The executor, in the process that orchestrates a run (the CLI, a run worker).

    What that process loaded (Dagster, dlt, the definitions) lives until it exits: frozen out of
    the garbage collector here, the collection at its exit no longer walks it all
    (bench/README.md, "Why the code is so"). Nothing else loads the definitions and then does this.
    """
    gc.freeze()
    return ApiStepsExecutor(init_context)


def executor_from_env(api_count: int) -> ExecutorDefinition:
    """A run of one API in the orchestrating process; of several, one process per API step, all at once;
    REST_ASSETS_EXECUTOR=k8s makes each a Kubernetes job.

    Dagster's default runs only as many steps as there are CPUs, so five API syncs went
    in waves although they mostly wait on the network. The forkserver imports dagster,
    dlt and the definitions once instead of in every step (see step_preload).
    """
    if settings.EXECUTOR.value() == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor
    return api_steps_executor.configured(
        {"max_concurrent": max(api_count, 1), "start_method": {"forkserver": {"preload_modules": [STEP_PRELOAD]}}}
    )
