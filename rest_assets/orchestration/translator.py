"""Asset specs from dagster-dlt's translator, given a dlt resource made from each declared resource.

`RestApiTranslator` is a `DagsterDltTranslator`: dagster-dlt's defaults (its table metadata, the
`dlt` kind) with the project's keys, lineage, descriptions and columns. Users adjust specs as
dagster-dlt users do: a `translation` in the defs.yaml (the form of `DltLoadCollectionComponent`'s,
applied by the component's translator), or a subclass of the translator (or of the component,
overriding `get_asset_spec`) in Python. A child's deps are its parent's key as the translator
makes it, so they follow whatever renamed the parent.

The dlt resources are described, not built: `described_resources` makes each from the
declaration's hints (table, key, write disposition, columns), with no HTTP client, no
credentials and no dlt source, so loading the definitions stays cheap.
"""

from __future__ import annotations

from functools import cached_property
from typing import Mapping

import dlt
from dagster import AssetKey, AssetSpec, AutomationCondition, FreshnessPolicy
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData
from dlt.extract.resource import DltResource

from rest_assets.engine.declaration import Endpoint, RestApi
from rest_assets.orchestration.metadata import definition_metadata

_DLT_HINTS = ("primary_key", "merge_key", "write_disposition")


def described_resources(api: RestApi) -> dict[str, DltResource]:
    """A dlt resource per resource of the API that lands a table, with its declared hints (table, key, columns).

    Its data is an empty list: it is never extracted, and dlt makes a resource of a function by
    deriving a configuration spec from its signature (~1 ms each, 2,150 at 250 APIs).
    """
    return {
        name: dlt.resource(
            [],
            name=name,
            table_name=endpoint.table,
            columns={field: dict(hint) for field, hint in endpoint.declared_columns.items()} or None,
            **{hint: endpoint.config[hint] for hint in _DLT_HINTS if endpoint.config.get(hint)},
        )
        for name, endpoint in ((name, api.endpoints[name]) for name in api.resource_names)
    }


class RestApiTranslator(DagsterDltTranslator):
    """dagster-dlt's translator for one declared API: key `[api, table]`, one group per API,
    a child depending on its parent and following it, the table's name and columns."""

    def __init__(self, api: RestApi, destination: str, table_names: Mapping[str, str],
                 freshness_policies: Mapping[str, FreshnessPolicy] | None = None) -> None:
        self.api = api
        self.destination = destination
        self.table_names = table_names  # table -> catalog.dataset.table, where the catalog is known
        self.freshness_policies = freshness_policies or {}
        self._specs: dict[str, AssetSpec] = {}

    @cached_property
    def resources(self) -> dict[str, DltResource]:
        return described_resources(self.api)

    def spec(self, resource_name: str) -> AssetSpec:
        """The spec of a resource's asset, as `get_asset_spec` makes it (once)."""
        if resource_name not in self._specs:
            data = DltResourceTranslatorData(resource=self.resources[resource_name], pipeline=None)
            self._specs[resource_name] = self.get_asset_spec(data)
        return self._specs[resource_name]

    def asset_keys(self) -> dict[str, AssetKey]:
        """Each resource's asset key (resources that land one table share its asset)."""
        return {name: self.spec(name).key for name in self.api.resource_names}

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        return self.project_spec(data)

    def project_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        """The project's spec of a resource's asset; its parent's key is the parent's spec's, whatever made it."""
        endpoint = self.api.endpoints[data.resource.name]
        parent = self.api.asset_parent(endpoint.name)
        base = super().get_asset_spec(data)
        return base.replace_attributes(
            key=AssetKey([self.api.name, endpoint.table]),
            deps=[self.spec(parent).key] if parent else [],
            group_name=self.api.name,
            description=asset_description(self.api, endpoint),
            kinds={*base.kinds, self.destination},
            owners=list(self.api.owners),
            tags={**base.tags, "api": self.api.name},
            automation_condition=follows_parent() if parent else None,
            freshness_policy=self.freshness_policies.get(endpoint.name),
            metadata=definition_metadata(base.metadata, endpoint, self.table_names.get(endpoint.table)),
        )


def first_resource_of_each_asset(keys: Mapping[str, AssetKey]) -> dict[str, AssetKey]:
    """One resource per asset, the first declared (several resources may land one table: they share its asset)."""
    first: dict[AssetKey, str] = {}
    for name, key in keys.items():
        first.setdefault(key, name)
    return {name: key for key, name in first.items()}


def follows_parent() -> AutomationCondition:
    """Materialize a child after its parent updates, unless the parent's blocking checks failed:
    a workspace table with broken keys must not be joined to workers that look fresh."""
    return (AutomationCondition.eager() & AutomationCondition.all_deps_blocking_checks_passed()).with_label(
        "eager, after the parent's blocking checks pass")


def asset_description(api: RestApi, endpoint: Endpoint) -> str:
    """What the asset is, first and in plain text: the catalog shows the start of each description
    unrendered, where the API's own sentence made all of an API's assets read alike. Then the API,
    and what happens to rows deleted upstream (Markdown, rendered on the asset's page)."""
    method = endpoint.config["endpoint"].get("method") or "GET"
    what = f"{endpoint.table.replace('_', ' ').capitalize()} of the {api.name} API: {method} {endpoint.path}"
    if parent := api.asset_parent(endpoint.name):
        what += f", for each row of {api.name}/{api.table_name(parent)}"
    elif endpoint.parent:  # a parent read only to feed its children (dlt's `selected: false`)
        what += f", for each record of its {endpoint.parent} resource"
    return "\n\n".join(part for part in (f"{what}.", api.description, endpoint.deletions_note) if part)

