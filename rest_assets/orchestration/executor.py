"""How a run's steps execute: one process per API step, forked from a forkserver that imported everything once."""

from __future__ import annotations

import gc

from dagster import Executor, ExecutorDefinition, InitExecutorContext, executor, multiprocess_executor

from rest_assets import settings

# What the forkserver imports once, before it forks each step (Dagster's multiprocess executor option).
STEP_PRELOAD = "rest_assets.orchestration.step_preload"


@executor(
    name="api_steps",
    config_schema=multiprocess_executor.config_schema,
    requirements=multiprocess_executor.get_requirements,
)
def api_steps_executor(init_context: InitExecutorContext) -> Executor:
    """Dagster's multiprocess executor, in the process that orchestrates a run (the CLI, a run worker).

    What that process loaded (Dagster, dlt, the definitions) lives until it exits: frozen out of
    the garbage collector here, the collection at its exit no longer walks it all
    (bench/README.md, "Why the code is so"). Nothing else loads the definitions and then does this.
    """
    gc.freeze()
    return multiprocess_executor.executor_creation_fn(init_context)


def executor_from_env(api_count: int) -> ExecutorDefinition:
    """One process per API step, all at once; REST_ASSETS_EXECUTOR=k8s makes each a Kubernetes job.

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
