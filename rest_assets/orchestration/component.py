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
from typing import Annotated, Any, Iterator, Optional

import dagster as dg
from dagster.components.utils.translation import TranslationFn, TranslationFnResolver
from dagster_dlt.translator import DltResourceTranslatorData
from pydantic import Field

from rest_assets.engine.declaration import DltClient, DltResourceDefaults, DltResources, RestApi
from rest_assets.orchestration.api import api_definitions, translator_for
from rest_assets.orchestration.assets import SyncEvent, sync_assets
from rest_assets.orchestration.resources import ApiCredentials, WarehouseResource
from rest_assets.orchestration.run_config import SyncConfig
from rest_assets.orchestration.scaffolder import RestApiScaffolder
from rest_assets.orchestration.translator import RestApiTranslator


def resolve_templates(context: dg.ResolutionContext, value: Any) -> Any:
    """A dlt config with each string that holds a template (`{{ env('X') }}`) rendered as Dagster renders it.

    Dagster's default renders every string of a field as a Jinja template, compiling each (~0.5 ms;
    ~40 strings an API, mostly paths and names), and a string that reads as a Python literal comes
    back as one: a header `X-Version: "2"` became the int 2, which dlt refuses. Here only templates
    are rendered; every other value stays as the YAML wrote it.
    """
    return _rendered(context, value, ())


def holds_template(text: str) -> bool:
    """Whether a string of dlt's config is rendered: it holds a Jinja expression or statement."""
    return "{{" in text or "{%" in text


def _rendered(context: dg.ResolutionContext, value: Any, path: tuple) -> Any:
    if isinstance(value, dict):
        return {key: _rendered(context, item, (*path, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_rendered(context, item, (*path, i)) for i, item in enumerate(value)]
    if isinstance(value, str) and holds_template(value):
        for part in path:  # where an error in the template points
            context = context.at_path(part)
        return context.resolve_value(value)
    return value


TEMPLATED = dg.Resolver(resolve_templates)


@dg.scaffold_with(RestApiScaffolder)
class RestApiComponent(dg.Component, RestApi, dg.Resolvable):
    """One REST API as Dagster assets: each resource a dlt rest_api resource landed in the warehouse.

    Builds the API's subsettable multi-asset (one asset per table, children depending on their
    parents, a primary-key check on each keyed table), its credentials resource `<name>_api`, a job
    and schedule per entry of `schedules`, and a change sensor per incremental resource.
    """

    # dlt's three keys, with templates where a string holds one (`resolve_templates`).
    client: Annotated[DltClient, TEMPLATED] = Field(description=RestApi.model_fields["client"].description)
    resources: Annotated[DltResources, TEMPLATED] = Field(description=RestApi.model_fields["resources"].description)
    resource_defaults: Annotated[DltResourceDefaults, TEMPLATED] = Field(
        default_factory=dict, description=RestApi.model_fields["resource_defaults"].description)
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
