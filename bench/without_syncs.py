"""Dagster's cost for the project's shape, with no sync in it.

`dagster asset materialize -m bench.without_syncs --select '*'` loads the project's definitions and
runs every API's multi-asset again with the same specs, blocking checks, resources and executor, but
a body that only reports: a materialization per asset (carrying its spec's metadata, as large as a
real one's) and a passing result per check. The fixed-cost pass times it between Dagster's empty run
and the project's unchanged rerun of every asset: above the first, what loading the definitions and
running 43 assets, 43 checks and five steps costs in Dagster; below the second, what the syncs add.
"""

import dagster as dg

from rest_assets.orchestration.loading import all_definitions
from rest_assets.orchestration.metadata import TableMetadataSet


# What Dagster attaches to a spec where its component was loaded: the definitions' own, never a materialization's
# (the component object itself does not cross from a step's process).
DEFINITION_ONLY = {"dagster/component_origin", "dagster/code_references"}


def reporting_only(assets_def: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """`assets_def` with a body that syncs nothing and reports every selected asset and check."""
    specs = {spec.key: spec for spec in assets_def.specs}
    reported = {key: {k: v for k, v in spec.metadata.items() if k not in DEFINITION_ONLY} for key, spec in specs.items()}

    @dg.multi_asset(
        name=assets_def.node_def.name,
        specs=list(specs.values()),
        check_specs=list(assets_def.check_specs),
        can_subset=True,
        required_resource_keys=set(assets_def.required_resource_keys),
    )
    def _report(context: dg.AssetExecutionContext):
        for key in [key for key in specs if key in context.selected_asset_keys]:  # parents first, as declared
            yield dg.MaterializeResult(asset_key=key, metadata={**reported[key], **TableMetadataSet(row_count=0)})
        for check_key in sorted(context.selected_asset_check_keys):
            yield dg.AssetCheckResult(asset_key=check_key.asset_key, check_name=check_key.name, passed=True)

    return _report


def _without_syncs(project: dg.Definitions) -> dg.Definitions:
    assets = [reporting_only(assets_def) for assets_def in project.assets if isinstance(assets_def, dg.AssetsDefinition)]
    return dg.Definitions(assets=assets, resources=project.resources, executor=project.executor)


defs = _without_syncs(all_definitions())
