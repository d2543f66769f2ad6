"""A sync's report as Dagster shows it: one materialization per asset, with its table's figures."""

from __future__ import annotations

from typing import Iterator, Mapping

from dagster import AssetKey, MaterializeResult

from rest_assets.engine.declaration import RestApi
from rest_assets.engine.report import SyncReport
from rest_assets.orchestration.metadata import materialization_metadata


def materializations(api: RestApi, report: SyncReport, keys: Mapping[str, AssetKey]) -> Iterator[MaterializeResult]:
    """A MaterializeResult per asset of the report's tables (the first resource of a table shared by several)."""
    done: set[AssetKey] = set()
    for name, table in report.tables.items():
        if keys[name] not in done:
            done.add(keys[name])
            metadata = materialization_metadata(report, table, api.endpoints[name])
            yield MaterializeResult(asset_key=keys[name], metadata=metadata)
