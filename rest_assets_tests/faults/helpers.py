"""Shared parts of the fault-injection suite: canary secrets, the leak check, projects on a disk-backed instance."""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass, fields
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, serialize_value
from dlt.common.versioned_state import decompress_state

from rest_assets_sim import Credentials, Simulator
from rest_assets_tests.conftest import Project, failure_text  # noqa: F401  (the suite imports it from here)

# Distinctive values: any of them (or a form they travel in) found anywhere is a leak.
CANARY = Credentials(
    taskrouter_account_sid="ACcanary-sid-0f1e",
    taskrouter_auth_token="CANARY-taskrouter-token-5b7d9",
    agency_api_token="CANARY-agency-token-a41c",
    resourcing_api_token="CANARY-resourcing-token-77e0",
    workhub_api_key="CANARY-workhub-key-3d92",
    datasync_client_id="canary-datasync-client-e5f1",
    datasync_client_secret="CANARY-datasync-secret-c08a",
)
# The account SID and the client id are identifiers, not secrets: the task router API returns
# `account_sid` in its own records. Everything else is secret.
IDENTIFIERS = {"taskrouter_account_sid", "datasync_client_id"}


def secrets_of(credentials: Credentials) -> list[str]:
    values = [getattr(credentials, f.name) for f in fields(credentials) if f.name not in IDENTIFIERS]
    basic = f"{credentials.taskrouter_account_sid}:{credentials.taskrouter_auth_token}"
    return values + [base64.b64encode(basic.encode()).decode()]



def set_policy(monkeypatch: pytest.MonkeyPatch, **settings) -> None:
    """Override HttpPolicy fields for all APIs through the environment, as an operator would."""
    for name, value in settings.items():
        monkeypatch.setenv(f"REST_ASSETS_HTTP_{name.upper()}", str(value))


# Fast retries for rows that are about *what* is retried, not how long: 4 attempts, no real waiting.
FAST_RETRIES = {"backoff_factor": 0.01, "max_retry_delay_seconds": 5}
# Fault matchers: the requests after the first page of agency's clients.
SECOND_AGENCY_PAGE = {"api": "agency", "resource": "clients", "where": lambda ctx: "startingAfter" in ctx.query}


@dataclass
class FaultProject(Project):
    """A Project whose runs are recorded in a Dagster instance on disk (event log, run storage, compute logs)."""

    @classmethod
    def of(cls, project: Project, tmp_path: Path) -> "FaultProject":
        home = tmp_path / "dagster_instance"
        home.mkdir(exist_ok=True)
        return cls(project.sim, project.duckdb_path, project.data_dir, DagsterInstance.local_temp(str(home)))


class LeakCheck:
    """Collects every place a secret could end up and reports each secret found there."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.projects: list[FaultProject] = []
        self.simulators: list[Simulator] = []
        self.extra_secrets: list[str] = []
        self.findings: list[str] = []

    def watch(self, project: FaultProject) -> None:
        self.projects.append(project)
        self.watch_simulator(project.sim)

    def watch_simulator(self, sim: Simulator) -> None:
        self.simulators.append(sim)

    def add_secret(self, value: str) -> None:
        """Watch a secret no simulator knows, e.g. a wrong one a test configures."""
        self.extra_secrets.append(value)

    def secrets(self) -> list[str]:
        found = set(secrets_of(CANARY)) | set(self.extra_secrets)
        for sim in self.simulators:
            found.update(secrets_of(sim.credentials))
            found.update(sim.issued_tokens)
        return sorted(found)

    def scan_text(self, where: str, text: str | bytes) -> None:
        data = text.encode() if isinstance(text, str) else text
        for secret in self.secrets():
            if secret.encode() in data:
                self.findings.append(f"{secret!r} in {where}")

    def scan_everything(self) -> None:
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            self.scan_text(str(path.relative_to(self.root)), _readable_bytes(path))
        for project in self.projects:
            self.scan_warehouse(project.duckdb_path)
            if project.instance is not None:
                self.scan_instance(project.instance)

    def assert_clean(self) -> None:
        assert not self.findings, "secrets leaked:\n" + "\n".join(self.findings)

    def scan_warehouse(self, duckdb_path: Path) -> None:
        """Every row of every table, and dlt's state decoded (it is stored compressed)."""
        if not duckdb_path.exists():
            return
        with duckdb.connect(str(duckdb_path), read_only=True) as db:
            tables = db.sql("select table_schema, table_name from information_schema.tables").fetchall()
            for schema, table in tables:
                rows = db.sql(f'select * from "{schema}"."{table}"').fetchall()
                self.scan_text(f"warehouse table {schema}.{table}", repr(rows))
                if table == "_dlt_pipeline_state":
                    states = [decompress_state(row[0]) for row in db.sql(f'select state from "{schema}"."{table}"').fetchall()]
                    self.scan_text(f"dlt state in {schema}", json.dumps(states, default=str))

    def scan_instance(self, instance: DagsterInstance) -> None:
        """Dagster's run storage and event log (asset metadata, failures, log messages)."""
        for record in instance.get_run_records():
            run = record.dagster_run
            self.scan_text(f"run storage ({run.run_id})", serialize_value(run))
            for event in instance.all_logs(run.run_id):
                self.scan_text(f"event log ({run.run_id})", serialize_value(event))


def _readable_bytes(path: Path) -> bytes:
    """A file's bytes, decompressed if gzip (dlt compresses its load files)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError):
            pass
    return data
