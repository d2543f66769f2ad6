"""Run one API's dlt pipeline for the assets Dagster selected."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterator, NamedTuple, Sequence

import dlt
from dagster import AssetExecutionContext, Failure, MaterializeResult, MetadataValue, TableSchema
from dlt.common.schema import Schema

from rest_assets.engine.checks import table_check_results
from rest_assets.engine.auth import Credentials
from rest_assets.engine.columns import column_schema
from rest_assets.engine.deletions import deletion_counts, mark_soft_deleted, refuse_mass_deletions, row_counts
from rest_assets.engine.errors import DatasetNamedLikeTheFile, InvalidRunConfig
from rest_assets.engine.explain import explain
from rest_assets.engine.http import RequestStats
from rest_assets.engine.plan import SyncPlan
from rest_assets.engine.run_config import SyncConfig
from rest_assets.engine.schema_changes import schema_changes
from rest_assets.engine.source import build_source
from rest_assets.engine.declaration import RestApi
from rest_assets.engine.warehouse import Warehouse


def selected_resources(context: AssetExecutionContext, api: RestApi) -> list[str]:
    return [name for name in api.resource_names if api.asset_key(name) in context.selected_asset_keys]


def sync_api(
    context: AssetExecutionContext, api: RestApi, credentials: Credentials, warehouse: Warehouse,
    config: SyncConfig = SyncConfig(),
) -> Iterator[MaterializeResult]:
    """Extract the selected resources, load them in one package, then run the selected table checks.

    dlt's steps run one by one so that only state restore and load hold the DuckDB
    writer lock; extract and normalize of different APIs overlap. A child resource
    selected alone still reads its parent from the API, but only the child is loaded.
    Before the load, the rows this sync would delete are counted (and a mass deletion
    refused); after it, soft deletions are marked, under the same lock.
    """
    names = selected_resources(context, api)
    started, listed_at = time.monotonic(), datetime.now(timezone.utc)
    try:
        start_from = config.start_moment(listed_at)
        warehouse.refuse_file_named_like(api.name)
    except (InvalidRunConfig, DatasetNamedLikeTheFile) as error:
        raise Failure(description=f"{api.name}: {error}. Nothing was requested or loaded.") from None
    stats, cpu = RequestStats(), CpuClock()
    with warehouse.pipeline(api.name, context.run.run_id, progress_log=context.log) as pipeline:
        try:
            with cpu.phase("load"), warehouse.writing(pipeline):
                pipeline.sync_destination()
            plan = SyncPlan.for_run(api, names, config.full_refresh, start_from, saved_cursors(pipeline, api, names))
            with cpu.phase("extract"):
                pipeline.extract(
                    build_source(api, credentials, stats, plan).with_resources(*names),
                    loader_file_format=warehouse.loader_file_format,
                    workers=api.policy.max_concurrency,
                )
            with cpu.phase("normalize"):
                normalize_info = pipeline.normalize()
            with cpu.phase("load"), warehouse.writing(pipeline):
                with pipeline.sql_client() as client:
                    deletions = deletion_counts(client, plan.writes, warehouse.existing_tables(client))
                if not config.allow_mass_deletion:
                    refuse_mass_deletions(api.name, deletions)
                load_info = pipeline.load(workers=warehouse.load_workers)
                load_info.raise_on_failed_jobs()
                # While the lock and a connection are at hand: a second opening of the
                # file, after waiting for the lock again, cost up to a second per API.
                with pipeline.sql_client() as client:
                    mark_soft_deleted(client, plan.writes, deletions, load_info.loads_ids, listed_at)
                    tables = _describe_tables(warehouse, client, api, names)
                    check_results = table_check_results(api, warehouse, client, context.selected_asset_check_keys)
        except Exception as error:
            raise Failure(description=explain(api, error)) from error
        rows_loaded = normalize_info.row_counts if normalize_info else {}
        for name in names:
            table = api.table_name(name)
            pages, retries = stats.totals(name)
            yield MaterializeResult(
                asset_key=api.asset_key(name),
                metadata={
                    "dagster/row_count": MetadataValue.int(tables[table].rows),
                    **{label: MetadataValue.int(rows) for label, rows in tables[table].not_current.items()},
                    **({"dagster/table_name": tables[table].qualified_name} if tables[table].qualified_name else {}),
                    "dagster/column_schema": loaded_columns(pipeline.default_schema, table),
                    "rows_loaded": MetadataValue.int(rows_loaded.get(table, 0)),
                    "rows_deleted": MetadataValue.int(deletions.get(table, (0, 0))[1]),
                    "deletions": plan.writes[name].mode,
                    "full_refresh": config.full_refresh,
                    **({"start_from": start_from.isoformat()} if start_from and api.endpoints[name].incremental else {}),
                    "pages_fetched": MetadataValue.int(pages),
                    "retries": MetadataValue.int(retries),
                    "dlt_load_id": ", ".join(load_info.loads_ids),
                    "schema_changes": MetadataValue.json(schema_changes(load_info, table)),
                    "endpoint": api.endpoints[name].path,
                    "duration_seconds": round(time.monotonic() - started, 3),
                    "cpu_seconds": MetadataValue.json(cpu.seconds),
                    **_cursor_metadata(pipeline, api, name),
                },
            )
    yield from check_results


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


def _cursor_metadata(pipeline: dlt.Pipeline, api: RestApi, resource_name: str) -> dict[str, str]:
    """The incremental cursor this run saved, for change sensors to compare against."""
    cursor = saved_cursor(pipeline, api, resource_name)
    return {"incremental_cursor": str(cursor)} if cursor is not None else {}


class TableFacts(NamedTuple):
    qualified_name: str | None
    rows: int  # current rows
    not_current: dict[str, int]  # rows kept but no longer current, where the table's mode keeps them


def _describe_tables(warehouse: Warehouse, client, api: RestApi, names: Sequence[str]) -> dict[str, TableFacts]:
    """Each table's full name and rows after the load (0 for a resource that never had a row)."""
    existing = warehouse.existing_tables(client)
    names_in_database = warehouse.table_names(client.dataset_name, [api.table_name(n) for n in names])
    facts = {}
    for name in names:
        endpoint = api.endpoints[name]
        rows, not_current = row_counts(client, endpoint) if endpoint.table in existing else (0, {})
        facts[endpoint.table] = TableFacts(names_in_database.get(endpoint.table), rows, not_current)
    return facts


def loaded_columns(schema: Schema, table: str) -> TableSchema:
    """The table's columns as dlt knows them after the load, with the declared descriptions."""
    return column_schema(schema.tables.get(table, {}).get("columns", {}).values())
