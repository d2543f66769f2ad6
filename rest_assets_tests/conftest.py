"""Fixtures: a simulator on loopback, a throwaway DuckDB file, and helpers to materialize and query."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, Definitions, ExecuteInProcessResult, materialize

from rest_assets.engine.auth import Credentials
from rest_assets.orchestration.resources import ApiCredentials
from rest_assets.orchestration.loading import all_definitions
from rest_assets_sim import Simulator

REPO_ROOT = Path(__file__).resolve().parents[1]
# The credential to spoil per API, to see a 401 (for datasync the token endpoint's).
WRONG_CREDENTIAL = {
    "taskrouter": "TASKROUTER_AUTH_TOKEN",
    "agency": "AGENCY_API_TOKEN",
    "resourcing": "RESOURCING_API_TOKEN",
    "workhub": "WORKHUB_API_KEY",
    "datasync": "DATASYNC_CLIENT_SECRET",
}


@dataclass
class Project:
    """The project pointed at one simulator and one DuckDB file."""

    sim: Simulator
    duckdb_path: Path
    data_dir: Path
    instance: DagsterInstance | None = None  # None: an ephemeral one per run

    def definitions(self) -> Definitions:
        return project_definitions()

    def materialize(
        self, *selection: str, raise_on_error: bool = True, config: dict | None = None, defs: Definitions | None = None
    ) -> ExecuteInProcessResult:
        """Materialize assets (`"agency/clients"`, or an API name for all of its assets).

        `config` is the run config of every selected API's sync op (e.g. `{"full_refresh": True}`).
        """
        defs = defs or self.definitions()
        graph = defs.resolve_asset_graph()
        keys = [
            key
            for key in graph.get_all_asset_keys()
            if not selection or key.to_user_string() in selection or key.path[0] in selection
        ]
        assert keys, f"nothing matches {selection}"
        run_config = {"ops": {f"{api}_sync": {"config": config} for api in {key.path[0] for key in keys}}} if config else None
        return materialize(
            assets=list(defs.assets),
            resources=defs.resources,
            selection=keys,
            raise_on_error=raise_on_error,
            instance=self.instance,
            run_config=run_config,
        )

    @staticmethod
    def metadata(result: ExecuteInProcessResult, table: str) -> dict:
        """The metadata of the materialization of `table` in a run."""
        event = next(e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == table)
        return event.materialization.metadata

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as connection:
            return connection.sql(sql).fetchall()

    def count(self, api: str, table: str) -> int:
        return self.query(f"select count(*) from {api}.{table}")[0][0]

    def keys(self, api: str, table: str, column: str) -> list:
        return [row[0] for row in self.query(f"select {column} from {api}.{table}")]


_BUILT: dict[frozenset, Definitions] = {}


def project_definitions() -> Definitions:
    """The project's definitions as the environment makes them, built once per environment.

    They depend on nothing else (settings.py), and a test suite builds them hundreds of times.
    """
    environment = frozenset(os.environ.items())
    if environment not in _BUILT:
        _BUILT.clear()
        _BUILT[environment] = all_definitions()
    return _BUILT[environment]


def project_env(sim: Simulator, duckdb_path: Path, data_dir: Path) -> dict[str, str]:
    return {**sim.env(), "REST_ASSETS_DUCKDB_PATH": str(duckdb_path), "REST_ASSETS_DATA_DIR": str(data_dir)}


@pytest.fixture
def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Start a simulator with the given sizes and point the project's env vars at it."""
    started: list[Simulator] = []

    def make(sizes: dict | None = None, default_rows: int = 30, **sim_options) -> Project:
        sim = Simulator(sizes=sizes, default_rows=default_rows, **sim_options).start()
        started.append(sim)
        project = Project(sim=sim, duckdb_path=tmp_path / "warehouse.duckdb", data_dir=tmp_path / "data")
        for name, value in project_env(sim, project.duckdb_path, project.data_dir).items():
            monkeypatch.setenv(name, value)
        return project

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def project(make_project) -> Project:
    return make_project()


def failure_text(result: ExecuteInProcessResult) -> str:
    """Every step failure's error of a run, as the UI shows it."""
    return "\n".join(event.event_specific_data.error.to_string() for event in result.get_step_failure_events())


def asset_keys(*names: str) -> Sequence[AssetKey]:
    return [AssetKey(name.split("/")) for name in names]


def clean_env() -> dict[str, str]:
    """The environment without any of the project's settings or credentials."""
    prefixes = ("TASKROUTER_", "AGENCY_", "RESOURCING_", "WORKHUB_", "DATASYNC_", "REST_ASSETS_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_service(command: Sequence[str], **popen_kwargs) -> subprocess.Popen:
    """A long-running Dagster process (webserver, daemon, code server) in a process group of its own."""
    return subprocess.Popen(command, start_new_session=True, **popen_kwargs)


def stop_service(process: subprocess.Popen, grace_seconds: float = 30) -> None:
    """SIGTERM to the whole group, then SIGKILL to what is left: Dagster's servers and the code
    servers they start do not always exit on SIGTERM within half a minute here."""
    stop_services([process], grace_seconds)


def stop_services(processes: Sequence[subprocess.Popen], grace_seconds: float = 30) -> None:
    """`stop_service` for several at once: each signal goes to all of them, then they have the grace together."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
        deadline = time.monotonic() + grace_seconds
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        process.wait(timeout=grace_seconds)


def run_credentials(api) -> Credentials:
    """The API's credentials as a run reads them: its resource's EnvVars resolved from the environment."""
    return ApiCredentials.of(api).process_config_and_initialize().credentials()
