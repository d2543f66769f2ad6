"""The way users run it: `dagster asset materialize`, all sources at once, into one DuckDB file."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance

from rest_assets.orchestration.executor import STEP_PRELOAD, step_start_method
from rest_assets.orchestration.loading import load_apis
from rest_assets_tests.conftest import REPO_ROOT, clean_env, project_env, start_service, stop_service

DAGSTER = str(Path(sys.executable).with_name("dagster"))


def cli_env(project, tmp_path: Path) -> dict[str, str]:
    """A fresh DAGSTER_HOME whose storage exists before any run starts.

    Dagster's SQLite storage is created on first use; runs that start at the same
    moment on a brand-new home race to create it (as they would in production
    without the instance being set up first).
    """
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    env = {**clean_env(), **project_env(project.sim, project.duckdb_path, project.data_dir), "DAGSTER_HOME": str(home)}
    subprocess.run([DAGSTER, "instance", "migrate"], env=env, cwd=REPO_ROOT, check=True, capture_output=True)
    return env


def materialize_cli(env: dict[str, str], select: str) -> subprocess.Popen:
    return subprocess.Popen(
        [DAGSTER, "asset", "materialize", "-m", "rest_assets.definitions", "--select", select],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def assert_every_table_complete(project) -> None:
    with duckdb.connect(str(project.duckdb_path), read_only=True) as db:
        for api in load_apis():
            for resource in api.resource_names:
                table = api.table_name(resource)
                count = db.sql(f"select count(*) from {api.name}.{table}").fetchall()[0][0]
                assert count == project.sim.expected_count(api.name, resource), f"{api.name}/{table}"


def test_one_cli_run_materializes_all_43_assets_in_parallel_steps(make_project, tmp_path):
    project = make_project(default_rows=60)
    process = materialize_cli(cli_env(project, tmp_path), "*")
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output[-4000:]
    assert "RUN_SUCCESS" in output
    assert_every_table_complete(project)


def test_the_cli_takes_a_restatement_as_run_config(make_project, tmp_path):
    project = make_project(sizes={"resourcing": {"logged_time": 30}})
    env = cli_env(project, tmp_path)
    # Earlier than RESOURCING_START_DATE, so that even a first sync shows the restatement.
    config = '{"ops": {"resourcing_sync": {"config": {"start_from": "2023-12-01T00:00:00Z"}}}}'
    done = subprocess.run([DAGSTER, "asset", "materialize", "-m", "rest_assets.definitions", "--select",
                           "resourcing/logged_time", "--config-json", config],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert [r.query["modified_since"] for r in project.sim.requests if r.path == "/logged-time"] == ["2023-12-01T00:00:00Z"]
    assert project.count("resourcing", "logged_time") == 30


def test_overlapping_runs_of_every_source_share_one_duckdb_file(make_project, tmp_path):
    project = make_project(default_rows=60)
    env = cli_env(project, tmp_path)
    processes = [materialize_cli(env, f"group:{api.name}") for api in load_apis()]
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output[-4000:]
    assert_every_table_complete(project)


# Packages a step must find already imported when it is forked (costly to import in every step).
PRELOADED_PACKAGES = ("sqlalchemy", "alembic", "duckdb", "pyarrow", "numpy", "upath", "fsspec", "dagster_postgres",
                      "dlt.normalize", "dlt.load", "dlt.destinations")
STEP_IMPORTS = """
import sys
import rest_assets.orchestration.step_preload
preloaded = set(sys.modules)
from dagster import DagsterInstance, materialize
from rest_assets.definitions import defs
keys = [key for key in defs.resolve_asset_graph().get_all_asset_keys() if key.path[0] in ("datasync", "workhub")]
assert materialize(list(defs.assets), resources=defs.resources, selection=keys, instance=DagsterInstance.get()).success
print("\\n".join(sorted(set(sys.modules) - preloaded)))
"""


def test_steps_find_storage_dlt_duckdb_and_arrow_already_imported(project, tmp_path):
    """What a step imports after the executor's preload is paid again by every step, on a 2-core machine."""
    done = subprocess.run([sys.executable, "-c", STEP_IMPORTS], env=cli_env(project, tmp_path), cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-4000:]
    imported_by_step = done.stdout.split()
    assert "dagster._core.execution.execute_in_process" in imported_by_step  # the probe sees the step's imports
    late = [m for m in imported_by_step if any(m == p or m.startswith(p + ".") for p in PRELOADED_PACKAGES)]
    assert late == [], late


def test_steps_fork_from_the_run_process_unless_threads_or_config_say_otherwise():
    """Forking copies only the calling thread: with another thread alive (holding a lock, maybe) the
    steps start from Dagster's forkserver, and a start method set in the run's config is kept."""
    assert step_start_method({"max_concurrent": 5}, threads=1) == {"fork": {}}
    assert step_start_method({"max_concurrent": 5}, threads=2) == {"forkserver": {"preload_modules": [STEP_PRELOAD]}}
    assert step_start_method({"start_method": {"spawn": {}}}, threads=1) == {"spawn": {}}


IMPORT_SIDE_EFFECTS = """
import gc, json, os, sys
sys.argv = {argv!r}
environ = dict(os.environ)
import rest_assets.definitions
import rest_assets.engine
children = [pid for pid in os.listdir("/proc") if pid.isdigit()
            and open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()[1] == str(os.getpid())]
print(json.dumps({{"frozen": gc.get_freeze_count(), "children": children, "gc": gc.isenabled(),
                  "environ_changed": sorted(set(os.environ.items()) ^ set(environ.items()))}}))
"""


@pytest.mark.parametrize("argv", [[DAGSTER, "asset", "materialize", "-m", "rest_assets.definitions"], [DAGSTER, "dev"]])
def test_importing_the_definitions_has_no_side_effects(project, tmp_path, argv):
    """Whoever imports them (a run, the webserver, a code server): no processes, no frozen objects, the same environment."""
    done = subprocess.run([sys.executable, "-c", IMPORT_SIDE_EFFECTS.format(argv=argv)], env=cli_env(project, tmp_path),
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-4000:]
    assert json.loads(done.stdout.splitlines()[-1]) == {"frozen": 0, "children": [], "gc": True, "environ_changed": []}


def test_dagsters_daemon_evaluates_the_freshness_policies(project, tmp_path):
    """A just-materialized asset passes its policy; one never materialized has no state to judge yet."""
    env = cli_env(project, tmp_path)
    done = materialize_cli(env, "agency/clients")
    output, _ = done.communicate(timeout=300)
    assert done.returncode == 0, output[-4000:]
    clients, projects = AssetKey(["agency", "clients"]), AssetKey(["agency", "projects"])
    daemon = start_service([str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w", "workspace.yaml"],
                           cwd=REPO_ROOT, env={**env, "FRESHNESS_DAEMON_INTERVAL_SECONDS": "1"},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            deadline, states = time.monotonic() + 180, {}
            while time.monotonic() < deadline and len(states) < 2:
                states = {key.to_user_string(): record.freshness_state.value
                          for key, record in instance.get_freshness_state_records([clients, projects]).items()}
                time.sleep(1)
    finally:
        stop_service(daemon)
    assert states == {"agency/clients": "PASS", "agency/projects": "UNKNOWN"}
