"""The deployment paths that can be proven without a cluster: image entry point, Helm values, the k8s and Celery
executors' settings, dg. (Celery workers at work: test_distributed.py.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from rest_assets.orchestration.executor import CELERY_HEARTBEAT_SECONDS, celery_executor_config, executor_from_env
from rest_assets_tests.conftest import REPO_ROOT, clean_env, free_port, project_env, start_service, stop_service

BIN = Path(sys.executable).parent
DEPLOY = REPO_ROOT / "deploy"


def image_command() -> list[str]:
    """The Dockerfile's CMD, as the container would run it."""
    (line,) = [line for line in (DEPLOY / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")]
    return json.loads(line.removeprefix("CMD "))


def test_image_command_serves_the_definitions_over_grpc():
    command = image_command()
    assert command[:3] == ["dagster", "api", "grpc"] and command[-2:] == ["-m", "rest_assets.definitions"]
    port = free_port()
    local = [str(BIN / "dagster"), *command[1:]]
    local[local.index("-h") + 1], local[local.index("-p") + 1] = "127.0.0.1", str(port)
    server = start_service(local, cwd=REPO_ROOT, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while subprocess.run([BIN / "dagster", "api", "grpc-health-check", "-p", str(port), "--host", "127.0.0.1"],
                             capture_output=True).returncode != 0:
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "the gRPC server did not become healthy"
            time.sleep(1)
        jobs = subprocess.run([BIN / "dagster", "job", "list", "--grpc-port", str(port), "--grpc-host", "127.0.0.1"],
                              cwd=REPO_ROOT, env=clean_env(), capture_output=True, text=True, check=True).stdout
        for job in ("taskrouter_job", "agency_job", "resourcing_job", "resourcing_logged_time_job", "workhub_job",
                    "datasync_job"):
            assert job in jobs
    finally:
        stop_service(server)


def test_helm_values_point_at_the_image_definitions_secrets_and_executor():
    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "rest_assets.definitions"]
    assert deployment["port"] == 3030 == int(image_command()[image_command().index("-p") + 1])
    assert deployment["image"]["tag"] != "latest", "runs must use the exact image of their code location"
    env = {item["name"]: item["value"] for item in deployment["env"]}
    assert env == {"REST_ASSETS_DESTINATION": "postgres", "REST_ASSETS_EXECUTOR": "k8s"}
    launcher = values["runLauncher"]
    assert launcher["type"] == "K8sRunLauncher"
    secrets = [s["name"] for s in deployment["envSecrets"]]
    assert [s["name"] for s in launcher["config"]["k8sRunLauncher"]["envSecrets"]] == secrets
    assert values["postgresql"]["enabled"] is False
    assert values["concurrency"] == {"enabled": True, "pools": {"defaultLimit": 1, "granularity": "run"}}, (
        "one run of an API at a time, as deploy/dagster.yaml")
    assert values["dagsterDaemon"]["runRetries"] == {"enabled": True, "maxRetries": 1}
    assert values["dagsterDaemon"]["runMonitoring"]["enabled"] is True, "runs past their dagster/max_runtime are ended"


def test_definitions_run_steps_as_kubernetes_jobs_when_asked():
    script = (
        "from rest_assets.definitions import defs;"
        "job = defs.get_repository_def().get_job('agency_job');"
        "print(job.executor_def.name, job.tags['dagster/retry_on_asset_or_op_failure'])"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True,
                         env={**clean_env(), "REST_ASSETS_EXECUTOR": "k8s"})
    assert out.stdout.split() == ["k8s", "false"]


def dg(*args: str, env: dict[str, str], cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    # dg wants the project's venv active; VIRTUAL_ENV says which one it is.
    return subprocess.run([BIN / "dg", *args], cwd=cwd, capture_output=True, text=True,
                          env={**env, "VIRTUAL_ENV": str(BIN.parent), "NO_COLOR": "1", "COLUMNS": "200"})


def test_dg_checks_lists_and_launches(project, tmp_path):
    env = {**clean_env(), **project_env(project.sim, project.duckdb_path, project.data_dir),
           "DAGSTER_HOME": str(tmp_path)}
    checked = dg("check", "defs", env=env)
    assert checked.returncode == 0 and "All definitions loaded successfully" in checked.stdout + checked.stderr

    listed = dg("list", "defs", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assets = {asset["asset_key"] for asset in json.loads(listed.stdout)["assets"]}
    assert len(assets) == 43 and "taskrouter/workers" in assets

    launched = dg("launch", "--assets", "agency/clients,group:datasync", env=env)
    assert launched.returncode == 0, launched.stdout[-3000:] + launched.stderr[-3000:]
    assert project.count("agency", "clients") == 30
    assert project.count("datasync", "jobs") == 30


def test_dg_scaffolds_an_api_that_loads_and_check_yaml_points_at_a_wrong_key(tmp_path):
    """In a copy of the project: `dg scaffold defs`, then the new folder's assets; a typo, then its line."""
    copy = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "rest_assets", copy / "rest_assets", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", copy / "pyproject.toml")
    env = clean_env()

    scaffolded = dg("scaffold", "defs", "rest_assets.RestApiComponent", "helpdesk", env=env, cwd=copy)
    assert scaffolded.returncode == 0, scaffolded.stderr
    defs_yaml = copy / "rest_assets" / "defs" / "helpdesk" / "defs.yaml"
    listed = dg("list", "defs", "--json", env=env, cwd=copy)
    assert listed.returncode == 0, listed.stderr
    assets = {asset["asset_key"] for asset in json.loads(listed.stdout)["assets"]}
    assert len(assets) == 44 and "helpdesk/items" in assets, "the placeholder resource loads at once"

    text = defs_yaml.read_text()
    defs_yaml.write_text(text.replace("  description:", "  descripton:"))
    checked = dg("check", "yaml", str(defs_yaml.parent), env=env, cwd=copy)
    assert checked.returncode == 1
    line = next(i for i, line in enumerate(text.splitlines(), start=1) if line.startswith("  description:"))
    assert f"defs.yaml:{line} - rest_assets.RestApiComponent attributes.descripton Additional properties are not " \
           "allowed ('descripton' was unexpected)" in checked.stdout, checked.stdout

    defs_yaml.write_text(text.replace("primary_key:", "primary_kee:"))  # inside dlt's keys: its own line too
    checked = dg("check", "yaml", str(defs_yaml.parent), env=env, cwd=copy)
    line = next(i for i, line in enumerate(text.splitlines(), start=1) if line.strip().startswith("primary_key:"))
    assert checked.returncode == 1 and f"defs.yaml:{line} - rest_assets.RestApiComponent attributes.resource_defaults" \
        ".primary_kee Additional properties are not allowed ('primary_kee' was unexpected)" in checked.stdout, checked.stdout


CELERY_WORKER_CONFIG = """
import json
from rest_assets.definitions import defs
from rest_assets.orchestration.celery_worker import app
job = defs.get_repository_def().get_job("agency_job")
conf = app.conf
print(json.dumps({"executor": job.executor_def.name, "broker": conf.broker_url, "backend": conf.result_backend,
                  "acks_late": conf.task_acks_late, "reject_on_worker_lost": conf.task_reject_on_worker_lost,
                  "cancel_on_connection_loss": conf.worker_cancel_long_running_tasks_on_connection_loss,
                  "prefetch": conf.worker_prefetch_multiplier, "tasks_per_child": conf.worker_max_tasks_per_child,
                  "visibility_timeout": conf.broker_transport_options["visibility_timeout"],
                  "heartbeat": conf.broker_heartbeat, "queues": [q.name for q in conf.task_queues],
                  "tasks": sorted(t for t in app.tasks if not t.startswith("celery."))}))
"""


def test_runs_and_workers_share_one_celery_config_when_the_profile_says_celery():
    """REST_ASSETS_EXECUTOR=celery: the jobs' executor is dagster-celery's, and the workers' app
    (`celery -A rest_assets.orchestration.celery_worker worker`) reads the same settings: acknowledged when a
    step ends, so that a dead worker's step goes to another; Redis hands a task out again only after any run's
    end."""
    broker = "pyamqp://loader:s3cret-broker-password@broker.internal:5672/rest_assets"
    env = {**clean_env(), "REST_ASSETS_EXECUTOR": "celery", "REST_ASSETS_CELERY_BROKER": broker,
           "REST_ASSETS_CELERY_BACKEND": "redis://results.internal:6379/1", "REST_ASSETS_MAX_RUNTIME_SECONDS": "7200"}
    done = subprocess.run([sys.executable, "-c", CELERY_WORKER_CONFIG], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1]) == {
        "executor": "celery", "broker": broker, "backend": "redis://results.internal:6379/1", "acks_late": True,
        "reject_on_worker_lost": True, "cancel_on_connection_loss": True, "prefetch": 1, "tasks_per_child": 1,
        "visibility_timeout": 7200 + 3600, "heartbeat": CELERY_HEARTBEAT_SECONDS, "queues": ["dagster"],
        "tasks": ["execute_plan"]}


def test_the_celery_executor_holds_the_broker_url_by_name_only(monkeypatch):
    """The broker's URL may carry a password: the executor's config names the variable, read where it starts."""
    monkeypatch.setenv("REST_ASSETS_CELERY_BROKER", "pyamqp://loader:s3cret@broker.internal:5672//")
    monkeypatch.delenv("REST_ASSETS_CELERY_BACKEND", raising=False)
    config = celery_executor_config()
    assert (config["broker"], config["backend"]) == ({"env": "REST_ASSETS_CELERY_BROKER"}, "rpc://")
    assert "s3cret" not in json.dumps(config)


def test_an_unknown_executor_is_refused_naming_the_choices(monkeypatch):
    monkeypatch.setenv("REST_ASSETS_EXECUTOR", "celry")
    with pytest.raises(ValueError, match="REST_ASSETS_EXECUTOR='celry': use `celery`, `k8s`, or leave it unset"):
        executor_from_env(5)
