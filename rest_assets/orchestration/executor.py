"""How a run's steps execute: a run of one API in the orchestrating process; of several, one process per
API step, forked from the orchestrating process, which has already loaded everything. Past one machine,
each API's step a task on a Celery worker (REST_ASSETS_EXECUTOR=celery) or a Kubernetes job (`k8s`)."""

from __future__ import annotations

import gc
import importlib
import threading
from typing import Any

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
    REST_ASSETS_EXECUTOR=celery makes each a task on a Celery worker, =k8s a Kubernetes job.

    All at once because Dagster's default runs only as many steps as there are CPUs: API syncs
    would go in waves although they mostly wait on the network.
    """
    chosen = settings.EXECUTOR.value()
    if chosen == "celery":
        from dagster_celery import celery_executor

        return celery_executor.configured(celery_executor_config())
    if chosen == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor
    if chosen is not None:
        raise ValueError(f"{settings.EXECUTOR.name}={chosen!r}: use `celery`, `k8s`, or leave it unset for this machine")
    return api_steps_executor.configured({"max_concurrent": max(api_count, 1)})


# How often a worker and RabbitMQ prove to each other that they are alive. A worker whose host vanishes
# without closing its connection is given up by RabbitMQ after about two of these, and its step goes back
# to the queue (Celery's default, 120 s, would hold it four minutes).
CELERY_HEARTBEAT_SECONDS = 10


def celery_executor_config() -> dict[str, Any]:
    """dagster-celery's executor config, for the runs' executor and for every worker's app
    (orchestration/celery_worker.py): one place, so the two agree.

    The broker's and the backend's URLs, which may hold a password, stay environment variables (Dagster's
    `{"env": ...}`), read where the executor or a worker starts, and are kept in no definition.

    A step's task is acknowledged when it ends, not when a worker takes it (`task_acks_late`): a worker
    that dies mid-step leaves its task to the broker, which hands it to another worker (RabbitMQ at once
    when the connection closes, after `CELERY_HEARTBEAT_SECONDS` x 2 when the host is gone; Redis after
    its `visibility_timeout`). The step then runs again from the start, from the state in the warehouse;
    its tables merge on their keys, so nothing lands twice. So that never two workers sync one API at once:
    a worker that loses the broker stops its steps (their tasks go to another worker), and Redis hands
    out again only a task older than any run may last (REST_ASSETS_MAX_RUNTIME_SECONDS, after which
    run monitoring has ended the run). Each step in a pool process of its own, forked for it
    (`worker_max_tasks_per_child`), as the multiprocess executor forks one on one machine.
    """
    from dagster_celery.defaults import broker_transport_options

    max_runtime = settings.MAX_RUNTIME_SECONDS.number()
    return {
        "broker": _env_or_default(settings.CELERY_BROKER),
        "backend": _env_or_default(settings.CELERY_BACKEND),
        "config_source": {
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_cancel_long_running_tasks_on_connection_loss": True,
            "worker_prefetch_multiplier": 1,
            "worker_max_tasks_per_child": 1,
            "broker_heartbeat": CELERY_HEARTBEAT_SECONDS,
            "broker_transport_options": {**broker_transport_options, "visibility_timeout": int(max_runtime) + 3600},
        },
    }


def _env_or_default(setting: settings.Setting) -> str | dict[str, str]:
    return {"env": setting.name} if setting.is_set() else setting.default
