"""The Celery app of the project's workers (REST_ASSETS_EXECUTOR=celery; deploy/README.md):

    celery -A rest_assets.orchestration.celery_worker worker -n sync@%h --concurrency 2

dagster-celery's own app (`dagster_celery.app`), built from the settings the runs' executor is built
from (`celery_executor_config`), so that both meet on one broker and agree on every task setting. The
worker imports the project before it forks its pool (`step_preload`): each step's process starts with
Dagster, dlt and the definitions loaded, as a forked step does on one machine. A step reconstructs its
job from the run's origin, `rest_assets.definitions`, with this host's settings and credentials.
"""

from __future__ import annotations

from celery import Task
from dagster import DagsterInstance, DagsterRunStatus
from dagster._grpc.types import ExecuteStepArgs  # what dagster-celery's task receives, unpacked as it does
from dagster._serdes import unpack_value
from dagster_celery.executor import CeleryExecutor
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

import rest_assets.orchestration.step_preload  # noqa: F401  (the project, loaded once before the pool forks)
from rest_assets import settings
from rest_assets.orchestration.executor import celery_executor_config


class StepOfALiveRun(Task):
    """dagster-celery's step task, which first makes sure the step's run is still going, as Dagster's
    own step worker (`dagster api execute_step`) does.

    A step's task can reach a worker after its run has ended: its worker died and no other took it
    before run monitoring ended the run (`dagster/max_runtime`), or Redis handed it out again. Run
    then, it would sync an API outside any run, maybe beside the step of the run that retried it.
    """

    def __call__(self, execute_step_args_packed, executable_dict):
        args = unpack_value(execute_step_args_packed, as_type=ExecuteStepArgs)
        with DagsterInstance.from_ref(args.instance_ref) as instance:
            run = instance.get_run_by_id(args.run_id)
            if run is None or run.is_finished or run.status == DagsterRunStatus.CANCELING:
                steps = ", ".join(args.step_keys_to_execute or [])
                if run is not None:
                    instance.report_engine_event(
                        f"Skipping step {steps} on celery worker {self.request.hostname}: the run is "
                        f"{run.status.value}. The step's task reached a worker after its run ended.",
                        run, step_key=steps,
                    )
                return []
        # Not Task.__call__, which would replace the worker's request (its hostname, which the step records).
        return self.run(execute_step_args_packed=execute_step_args_packed, executable_dict=executable_dict)


_config = celery_executor_config()
app = make_app(
    CeleryExecutor.for_cli(
        broker=settings.CELERY_BROKER.value(),
        backend=settings.CELERY_BACKEND.value(),
        config_source=_config["config_source"],
    ).app_args()
)
execute_plan = create_task(app, base=StepOfALiveRun)
