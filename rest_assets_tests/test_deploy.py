"""The deployment paths that can be proven without a cluster: image entry point, Helm values, k8s executor, dg."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import yaml

from rest_assets_tests.conftest import REPO_ROOT, clean_env, free_port, project_env

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
    server = subprocess.Popen(local, cwd=REPO_ROOT, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
        server.terminate()
        server.wait(timeout=30)


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
    (limit,) = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]["tagConcurrencyLimits"]
    assert limit["key"] == "rest_assets/api" and limit["limit"] == 1
    assert values["dagsterDaemon"]["runRetries"] == {"enabled": True, "maxRetries": 1}


def test_definitions_run_steps_as_kubernetes_jobs_when_asked():
    script = (
        "from rest_assets.definitions import defs;"
        "job = defs.get_repository_def().get_job('agency_job');"
        "print(job.executor_def.name, job.tags['dagster/retry_on_asset_or_op_failure'])"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True,
                         env={**clean_env(), "REST_ASSETS_EXECUTOR": "k8s"})
    assert out.stdout.split() == ["k8s", "false"]


def dg(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # dg wants the project's venv active; VIRTUAL_ENV says which one it is.
    return subprocess.run([BIN / "dg", *args], cwd=REPO_ROOT, capture_output=True, text=True,
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
