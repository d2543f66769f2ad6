"""The destination: one DuckDB file, one dataset (schema) per API."""

from __future__ import annotations

import fcntl
import logging
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dlt
import duckdb
from dagster import ConfigurableResource

from rest_assets.engine.connections import env_or


class Warehouse(ConfigurableResource):
    """Where the APIs land, and where dlt keeps its per-run working folders."""

    duckdb_path: str = "data/rest_assets.duckdb"
    data_dir: str = "data"

    @classmethod
    def from_env(cls) -> "Warehouse":
        """REST_ASSETS_DUCKDB_PATH and REST_ASSETS_DATA_DIR, with the defaults above."""
        return cls(
            duckdb_path=env_or("REST_ASSETS_DUCKDB_PATH", cls.model_fields["duckdb_path"].default),
            data_dir=env_or("REST_ASSETS_DATA_DIR", cls.model_fields["data_dir"].default),
        )

    @property
    def path(self) -> Path:
        return Path(self.duckdb_path).resolve()

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Serialize DuckDB access across processes: DuckDB allows one writing process per file.

        Only state restore and load hold it, so sources still extract in parallel.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{self.path}.lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    @contextmanager
    def pipeline(self, api_name: str, run_id: str, progress_log: logging.Logger | None = None) -> Iterator[dlt.Pipeline]:
        """A dlt pipeline in a fresh working folder, deleted afterwards.

        The warehouse is the only source of truth for state: every run restores
        its incremental cursors from the dataset, so a new DuckDB file means a
        full load, and overlapping runs never share local state files. dlt's
        progress (items and pages per resource) goes to `progress_log`.
        """
        working_dir = Path(self.data_dir).resolve() / "dlt" / f"{run_id}-{api_name}"
        try:
            yield dlt.pipeline(
                pipeline_name=api_name,
                pipelines_dir=str(working_dir),
                destination=dlt.destinations.duckdb(credentials=str(self.path)),
                dataset_name=api_name,
                progress=dlt.progress.log(log_period=10.0, logger=progress_log or "stdout", dump_system_stats=False),
            )
        finally:
            shutil.rmtree(working_dir, ignore_errors=True)

    def table_name(self, dataset: str, table: str) -> str:
        """The fully qualified name of a table, as DuckDB shows it."""
        return f"{self.path.stem}.{dataset}.{table}"

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for reading, taken under the writer lock."""
        with self.writer_lock(), duckdb.connect(str(self.path)) as connection:
            yield connection
