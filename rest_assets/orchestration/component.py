"""`RestApiComponent`: one REST API declared in a `defs.yaml`, in dlt's own `rest_api` language.

    type: rest_assets.RestApiComponent
    attributes:
      name: helpdesk
      description: "Helpdesk: tickets and their comments."
      client:
        base_url: "{{ env('HELPDESK_BASE_URL', 'https://helpdesk.example.com') }}"
        auth: {type: bearer, token_env: HELPDESK_API_TOKEN}
      resource_defaults: {primary_key: id, endpoint: {paginator: header_link}}
      resources:
        - tickets
        - {name: comments, endpoint: {path: /comments, params: {ticket_id: "{resources.tickets.id}"}}}
      translation:
        tags: {domain: support}

The component *is* the declaration (`RestApi`, engine/declaration.py: dlt's `client`,
`resource_defaults` and `resources` in every form `rest_api_source` takes, secrets named as
`*_env`, Python objects as import paths), plus `translation`: dagster-dlt's adjustment of each
asset's spec, in the form of `DltLoadCollectionComponent`'s (template vars `resource`, dlt's
resource, and `pipeline`, None here). As with dagster-dlt's and dagster-sling's components, a
subclass may override `get_asset_spec` (every asset's spec) and `execute` (what a run does).
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Iterator, Optional

import dagster as dg
from dagster.components.utils.translation import TranslationFn, TranslationFnResolver
from dagster_dlt.translator import DltResourceTranslatorData

from rest_assets.engine.declaration import RestApi
from rest_assets.orchestration.api import api_definitions, translator_for
from rest_assets.orchestration.assets import SyncEvent, sync_assets
from rest_assets.orchestration.resources import ApiCredentials, WarehouseResource
from rest_assets.orchestration.run_config import SyncConfig
from rest_assets.orchestration.scaffolder import RestApiScaffolder
from rest_assets.orchestration.translator import RestApiTranslator


@dg.scaffold_with(RestApiScaffolder)
class RestApiComponent(dg.Component, RestApi, dg.Resolvable):
    """One REST API as Dagster assets: each resource a dlt rest_api resource landed in the warehouse.

    Builds the API's subsettable multi-asset (one asset per table, children depending on their
    parents, a primary-key check on each keyed table), its credentials resource `<name>_api`, a job
    and schedule per entry of `schedules`, and a change sensor per incremental resource.
    """

    translation: Optional[
        Annotated[
            TranslationFn[DltResourceTranslatorData],
            TranslationFnResolver[DltResourceTranslatorData](
                lambda data: {"resource": data.resource, "pipeline": data.pipeline}
            ),
        ]
    ] = None

    @cached_property
    def translator(self) -> "ComponentTranslator":
        """The translator of this API's specs: `get_asset_spec`, then `translation`."""
        return translator_for(self, ComponentTranslator)  # type: ignore[return-value]

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        """The spec of one resource's asset, before `translation`; override it in a subclass to change every asset."""
        return self.translator.project_spec(data)

    def execute(
        self, context: dg.AssetExecutionContext, warehouse: WarehouseResource, credentials: ApiCredentials,
        config: SyncConfig,
    ) -> Iterator[SyncEvent]:
        """Sync the selected assets from the API into the warehouse, in one dlt load.

        Yields a `MaterializeResult` per asset and the selected checks' results (a selection of
        checks alone counts their tables instead). Override it in a subclass to wrap the sync (log,
        add metadata, refuse a run), as with dagster-dlt's and dagster-sling's components, and name
        the subclass as the `type` of a defs.yaml:

            class LoggedApi(RestApiComponent):
                def execute(self, context, warehouse, credentials, config):
                    context.log.info(f"syncing {self.name}, full_refresh={config.full_refresh}")
                    yield from super().execute(context, warehouse, credentials, config)
        """
        yield from sync_assets(self, self.translator.asset_keys(), context, warehouse, credentials, config)

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        return api_definitions(self, self.translator, self.execute)


class ComponentTranslator(RestApiTranslator):
    """The component's translator: its `get_asset_spec` (a subclass of the component may override it), then the
    defs.yaml's `translation`, as dagster-dlt's component translator applies its own."""

    api: RestApiComponent

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        spec = self.api.get_asset_spec(data)
        return self.api.translation(spec, data) if self.api.translation else spec
