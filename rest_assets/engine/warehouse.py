"""The destination: one dataset (schema) per API, in DuckDB by default or any dlt destination."""

from __future__ import annotations

import fcntl
import logging
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

import dlt
import duckdb
from pydantic import BaseModel
from dlt.common.destination import Destination
from dlt.common.destination.reference import TDestinationReferenceArg
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from rest_assets import settings
from rest_assets.engine.errors import DatasetNamedLikeTheFile, WarehouseLocked
from rest_assets.engine.progress import LongStepProgress

# DuckDB's words when another process holds the file: "... Conflicting lock is held in <program> (PID n) ..."
_LOCK_CONFLICT = re.compile(r"Could not set lock on file.*?Conflicting lock is held in (?P<holder>.+? \(PID \d+\))", re.S)
_LOCK_POLL_SECONDS = 0.5
_LOCK_LOG_EVERY_SECONDS = 5.0


# dlt's settings for the project's pipelines (dlt's own environment variables, e.g.
# DATA_WRITER__BUFFER_MAX_ITEMS, still win).
DLT_SETTINGS = {
    # dlt's anonymous telemetry writes an id file and calls home: no place in a data pipeline's host.
    "runtime.dlthub_telemetry": False,
    # dlt gzips its intermediate files, which live only for the run: 12% of a sync's CPU, measured.
    "data_writer.disable_compression": True,
    # 5,000 rows per table before a file is written held ~80 MB in a 16-table API at 1M rows;
    # 1,000 keeps a step's memory flat as data grows, at no measured cost.
    "data_writer.buffer_max_items": 1000,
}


_log = logging.getLogger(__name__)


class Warehouse(BaseModel):
    """Where the APIs land, and where dlt keeps its per-run working folders.

    `destination` is a dlt destination name. Anything but DuckDB takes its
    credentials the way dlt always does (e.g. DESTINATION__POSTGRES__CREDENTIALS).
    """

    destination: str = settings.DESTINATION.default
    duckdb_path: str = settings.DUCKDB_PATH.default
    data_dir: str = settings.DATA_DIR.default
    # What a load step's DuckDB may hold; past it DuckDB spills to disk. dlt's merge
    # (dedup window over the staging table) grew with rows per table: +135 MB at 70k rows
    # with 256MB, +82 MB with 128MB, in the same time. Raise it for very wide or big tables.
    duckdb_memory_limit: str = settings.DUCKDB_MEMORY_LIMIT.default
    # How long a sync waits for another program (a notebook, the DuckDB CLI, a BI tool) to close the file.
    duckdb_lock_timeout_seconds: float = float(settings.DUCKDB_LOCK_TIMEOUT_SECONDS.default)
    # A sync step (extract, normalize, load) that runs this long writes dlt's progress to the run's log.
    progress_log_seconds: float = float(settings.PROGRESS_LOG_SECONDS.default)

    @property
    def is_duckdb(self) -> bool:
        return self.destination == "duckdb"

    @property
    def path(self) -> Path:
        return Path(self.duckdb_path).resolve()

    @property
    def loader_file_format(self) -> str | None:
        """parquet for DuckDB; else the destination's own.

        dlt's default insert_values was measured ~45x slower to load into DuckDB and took
        GBs of memory; jsonl is fast but DuckDB's JSON reader rewrites values (an ISO
        string declared text comes back as `2023-10-18 14:00:53+00`, JSON objects gain
        null keys). parquet carries dlt's types exactly and loads fastest.
        """
        return "parquet" if self.is_duckdb else None

    @property
    def load_workers(self) -> int:
        """One load job at a time into DuckDB: one file takes one writer, and each statement
        already uses every core. dlt's default of 20 parallel jobs only added memory
        (+110 MB at 1M rows in a 13-table API). Server databases keep dlt's default."""
        return 1 if self.is_duckdb else 20

    def dlt_destination(self) -> TDestinationReferenceArg:
        return dlt.destinations.duckdb(credentials=self._duckdb_credentials()) if self.is_duckdb else self.destination

    def _duckdb_credentials(self, connection: duckdb.DuckDBPyConnection | None = None) -> DuckDbCredentials:
        return DuckDbCredentials(connection or str(self.path), global_config={"memory_limit": self.duckdb_memory_limit})

    @contextmanager
    def writing(self, pipeline: dlt.Pipeline, log: logging.Logger = _log) -> Iterator[None]:
        """Hold the DuckDB writer lock, with one connection for all of the pipeline's work under it.

        DuckDB allows one writing process per file, so only state restore, load and the
        checks hold the lock, and sources still extract in parallel. Left to itself, dlt
        opens and closes the file for every load job, and every close checkpoints: that was
        most of the load's time, all of it under the lock. Server databases take concurrent
        writers themselves. Another program with the file open (even read-only) is waited for.
        """
        if not self.is_duckdb:
            yield
            return
        with self._file_lock(), self._connect_when_free(log) as connection:
            config = pipeline.destination.config_params
            own_credentials = config.get("credentials")
            config["credentials"] = self._duckdb_credentials(connection)  # dlt borrows it, never closes it
            try:
                yield
            finally:
                config["credentials"] = own_credentials

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{self.path}.lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _connect_when_free(self, log: logging.Logger) -> duckdb.DuckDBPyConnection:
        """A writing connection, once no other program holds DuckDB's lock on the file (our own syncs
        wait for each other on the file lock); the wait goes to the run's log every few seconds."""
        started = time.monotonic()
        logged_at = None
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException as error:
                holder = _lock_holder(error)
                if holder is None:
                    raise
            waited = time.monotonic() - started
            if waited >= self.duckdb_lock_timeout_seconds:
                raise self._still_locked(holder) from None
            if logged_at is None or waited - logged_at >= _LOCK_LOG_EVERY_SECONDS:
                logged_at = waited
                log.info(
                    f"Waiting for the DuckDB file {self.path}: {holder} has it open. Waited {waited:.0f} s "
                    f"of at most {self.duckdb_lock_timeout_seconds:g} s (REST_ASSETS_DUCKDB_LOCK_TIMEOUT_SECONDS)."
                )
            time.sleep(min(_LOCK_POLL_SECONDS, self.duckdb_lock_timeout_seconds - waited))

    def _still_locked(self, holder: str) -> WarehouseLocked:
        return WarehouseLocked(
            f"the DuckDB file {self.path} stayed open in {holder} for {self.duckdb_lock_timeout_seconds:g} s, "
            "and DuckDB lets no one write to a file another program has open, even read-only. Close that "
            "connection (a notebook, the DuckDB CLI, a BI tool) and run again, or raise "
            "REST_ASSETS_DUCKDB_LOCK_TIMEOUT_SECONDS"
        )

    def refuse_file_named_like(self, dataset: str) -> None:
        """DuckDB names a file's catalog after the file: `agency.duckdb` holding the dataset
        `agency` makes every `agency.<table>` in dlt's SQL ambiguous, so nothing could load."""
        if self.is_duckdb and self.path.stem == dataset:
            raise DatasetNamedLikeTheFile(
                f"the DuckDB file {self.path} is named like the API's dataset '{dataset}', and DuckDB cannot "
                "tell the file from the dataset in a query. Give the file another name (REST_ASSETS_DUCKDB_PATH)"
            )

    @contextmanager
    def pipeline(self, api_name: str, run_id: str, progress_log: logging.Logger | None = None) -> Iterator[dlt.Pipeline]:
        """A dlt pipeline in a fresh working folder, deleted afterwards.

        The warehouse is the only source of truth for state: every run restores
        its incremental cursors from the dataset, so a new DuckDB file means a
        full load, and overlapping runs never share local state files. dlt's
        progress (items and pages per resource) goes to `progress_log`, for steps that run
        `progress_log_seconds` or longer. dlt runs with
        `DLT_SETTINGS` meanwhile, unless dlt's own environment variables say otherwise.
        """
        working_dir = self._working_root() / f"{run_id}-{api_name}"
        # A step that runs again where an attempt of it died (a worker killed mid-sync) starts clean too:
        # whatever that attempt extracted is not to be loaded.
        shutil.rmtree(working_dir, ignore_errors=True)
        try:
            with dlt.config.values(DLT_SETTINGS):
                yield dlt.pipeline(
                    pipeline_name=api_name,
                    pipelines_dir=str(working_dir),
                    destination=self.dlt_destination(),
                    dataset_name=api_name,
                    progress=LongStepProgress(self.progress_log_seconds, progress_log or "stdout", dump_system_stats=False),
                )
        finally:
            shutil.rmtree(working_dir, ignore_errors=True)

    @contextmanager
    def sql_client(self, dataset: str, log: logging.Logger = _log) -> Iterator[Any]:
        """dlt's SQL client on one dataset, for reading (checks); under the DuckDB lock."""
        with tempfile.TemporaryDirectory(dir=self._working_root()) as working_dir:
            reader = dlt.pipeline(pipeline_name=f"{dataset}_reader", pipelines_dir=working_dir,
                                  destination=self.dlt_destination(), dataset_name=dataset)
            with self.writing(reader, log), reader.sql_client() as client:
                yield client

    @staticmethod
    def dataset_columns(client: Any) -> dict[str, set[str]]:
        """Each table of the client's dataset, with its columns' names (a resource that never had a row
        has no table). One query for the whole dataset: asked table by table, it cost more than the counts."""
        tables: dict[str, set[str]] = {}
        for table, column in client.execute_sql(
            "select table_name, column_name from information_schema.columns where table_schema = %s", client.dataset_name
        ):
            tables.setdefault(table, set()).add(column)
        return tables

    def table_names(self, dataset: str, tables: Iterable[str]) -> dict[str, str]:
        """Each table's fully qualified name as the database shows it (`catalog.dataset.table`).

        The definitions and each materialization name a table with this, so the UI shows one
        name before and after a run. DuckDB names a file's catalog after the file
        (`rest_assets.duckdb` -> `rest_assets`); another destination's catalog is the
        database of dlt's credentials for it. Where those are not set (the definitions load
        without them), the catalog is unknown and no table is named: empty.
        """
        catalog = self._catalog()
        return {table: f"{catalog}.{dataset}.{table}" for table in tables} if catalog else {}

    def _catalog(self) -> str | None:
        if self.is_duckdb:
            return self.path.stem
        destination = Destination.from_reference(self.destination)
        credentials = destination.configuration(destination.spec(), accept_partial=True).credentials
        return getattr(credentials, "database", None)

    def _working_root(self) -> Path:
        root = Path(self.data_dir).resolve() / "dlt"
        root.mkdir(parents=True, exist_ok=True)
        return root


def _lock_holder(error: duckdb.IOException) -> str | None:
    """`<program> (PID n)` holding the file, if the error is DuckDB's lock conflict."""
    match = _LOCK_CONFLICT.search(str(error))
    return match.group("holder") if match else None

