"""A sync's report as Dagster shows it: one materialization per asset, with its table's figures."""

from __future__ import annotations

from typing import Iterator, Mapping

from dagster import AssetKey, MaterializeResult

from rest_assets.engine.declaration import RestApi
from rest_assets.engine.report import SyncReport
from rest_assets.orchestration.metadata import materialization_metadata
from rest_assets.orchestration.translator import first_resource_of_each_asset


def materializations(api: RestApi, report: SyncReport, keys: Mapping[str, AssetKey]) -> Iterator[MaterializeResult]:
    """A MaterializeResult per asset of the report's tables (the first resource of a table shared by several)."""
    for name, key in first_resource_of_each_asset({name: keys[name] for name in report.tables}).items():
        metadata = materialization_metadata(report, report.tables[name], api.endpoints[name])
        yield MaterializeResult(asset_key=key, metadata=metadata)
