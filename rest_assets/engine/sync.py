"""Run one API's dlt pipeline for some of its resources, and report what it did.

No Dagster here: the orchestrator picks the resources and turns the `SyncReport` into what
its UI shows (orchestration/results.py).
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterator, Sequence

import dlt
from dlt.common.schema import Schema
from dlt.common.schema.utils import get_nested_tables

from rest_assets.engine.auth import Credentials
from rest_assets.engine.checks import table_figures
from rest_assets.engine.declaration import RestApi
from rest_assets.engine.deletions import deletion_counts, mark_deleted, refuse_mass_deletions
from rest_assets.engine.errors import DatasetNamedLikeTheFile, InvalidRunConfig, SyncFailed
from rest_assets.engine.explain import explain
from rest_assets.engine.http import RequestStats
from rest_assets.engine.plan import Restatement, SyncPlan
from rest_assets.engine.report import SyncReport, TableReport
from rest_assets.engine.schema_changes import schema_changes
from rest_assets.engine.source import build_source
from rest_assets.engine.warehouse import Warehouse


def sync(
    api: RestApi, names: Sequence[str], credentials: Credentials, warehouse: Warehouse, run_id: str,
    restatement: Restatement = Restatement(), log: logging.Logger | None = None,
) -> SyncReport:
    """Extract the resources `names`, load them in one package, and count each table afterwards.

    dlt's steps run one by one so that only state restore and load hold the DuckDB
    writer lock; extract and normalize of different APIs overlap. A child resource
    selected alone still reads its parent from the API, but only the child is loaded.
    Before the load, the rows this sync would delete are counted (and a mass deletion
    refused); after it, soft deletions are marked, under the same lock. Raises SyncFailed,
    having loaded nothing, with a message that names the API, the resource and what to do.
    """
    log = log or logging.getLogger(__name__)
    started, listed_at = time.monotonic(), datetime.now(timezone.utc)
    try:
        start_from = restatement.start_moment(listed_at)
        warehouse.refuse_file_named_like(api.name)
    except (InvalidRunConfig, DatasetNamedLikeTheFile) as error:
        raise SyncFailed(f"{api.name}: {error}. Nothing was requested or loaded.") from None
    policy = api.policy
    stats, cpu = RequestStats(), CpuClock()
    with warehouse.pipeline(api.name, run_id, progress_log=log) as pipeline:
        try:
            with cpu.phase("load"), warehouse.writing(pipeline, log):
                pipeline.sync_destination()
            plan = SyncPlan.for_run(api, names, restatement.full_refresh, start_from, saved_cursors(pipeline, api, names))
            with cpu.phase("extract"):
                pipeline.extract(
                    build_source(api, credentials, stats, plan, policy).with_resources(*names),
                    loader_file_format=warehouse.loader_file_format,
                    workers=policy.max_concurrency,
                )
            with cpu.phase("normalize"):
                normalize_info = pipeline.normalize()
            with cpu.phase("load"), warehouse.writing(pipeline, log):
                with pipeline.sql_client() as client:
                    deletions = deletion_counts(client, plan.writes, warehouse.dataset_columns(client))
                if not restatement.allow_mass_deletion:
                    refuse_mass_deletions(api.name, deletions)
                load_info = pipeline.load(workers=warehouse.load_workers)
                load_info.raise_on_failed_jobs()
                # While the lock and a connection are at hand: a second opening of the
                # file, after waiting for the lock again, cost up to a second per API.
                with pipeline.sql_client() as client:
                    mark_deleted(client, plan.writes, deletions, load_info.loads_ids, listed_at)
                    endpoints = {name: api.endpoints[name] for name in names}
                    figures = table_figures(client, endpoints, warehouse.dataset_columns(client))
        except Exception as error:
            raise SyncFailed(explain(api, error)) from error
        rows_loaded = normalize_info.row_counts if normalize_info else {}
        qualified = warehouse.table_names(api.name, [api.table_name(name) for name in names])
        schema = pipeline.default_schema
        tables = {}
        for name in names:
            table = api.table_name(name)
            pages, retries = stats.totals(name)
            tables[name] = TableReport(
                resource=name,
                table=table,
                qualified_name=qualified.get(table),
                figures=figures[name],
                rows_loaded=rows_loaded.get(table, 0),
                rows_deleted=deletions.get(table, (0, 0))[1],
                deletions=plan.writes[name].mode.name,
                pages=pages,
                retries=retries,
                cursor=saved_cursor(pipeline, api, name),
                schema_changes=schema_changes(load_info, table),
                columns=table_columns(schema, table),
                nested_tables={child: table_columns(schema, child) for child in nested_tables(schema, table)},
            )
    return SyncReport(
        api=api.name,
        tables=tables,
        load_ids=list(load_info.loads_ids),
        full_refresh=restatement.full_refresh,
        start_from=start_from.isoformat() if start_from else None,
        duration_seconds=round(time.monotonic() - started, 3),
        cpu_seconds=dict(cpu.seconds),
    )


class CpuClock:
    """CPU seconds of this process in each of dlt's steps (the extract's worker threads included).

    One API's sync runs alone in its step process, so these add up to what the sync
    itself costs; the rest of the step's CPU is Dagster's.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.process_time()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.process_time() - started, 3)


def saved_cursor(pipeline: dlt.Pipeline, api: RestApi, resource_name: str) -> Any:
    """The incremental cursor in the pipeline's state (restored from the warehouse, or saved by this run)."""
    resource_state = pipeline.state.get("sources", {}).get(api.name, {}).get("resources", {}).get(resource_name, {})
    cursors = [value.get("last_value") for value in resource_state.get("incremental", {}).values()]
    return next((value for value in cursors if value is not None), None)


def saved_cursors(pipeline: dlt.Pipeline, api: RestApi, names: Sequence[str]) -> dict[str, Any]:
    return {name: cursor for name in names if (cursor := saved_cursor(pipeline, api, name)) is not None}


def table_columns(schema: Schema, table: str) -> list[dict[str, Any]]:
    """dlt's column hints of a table, each with its name, in dlt's order (declared descriptions included)."""
    return [dict(column) for column in schema.tables.get(table, {}).get("columns", {}).values()]


def nested_tables(schema: Schema, table: str) -> list[str]:
    """The tables dlt made of a table's lists (`invoices__line_items`), at any depth."""
    return [child["name"] for child in get_nested_tables(schema.tables, table, include_self=False)]
