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

`client`, `resource_defaults` and `resources` take every form dlt's `rest_api_source` takes,
with two differences that keep the file data (engine/vocabulary.py): a secret is named, never
written (`token_env: HELPDESK_API_TOKEN`: a Dagster `EnvVar`, read when a run starts and shown
in the UI by name), and a Python object is referenced by import path (`my_pkg.steps:drop_drafts`).
The component's model is the declaration itself (`RestApi`); its JSON schema, which
`dg check yaml` reads, is derived from dlt's types.
"""

from __future__ import annotations

import dagster as dg

from rest_assets.components.scaffolder import RestApiScaffolder
from rest_assets.engine.declaration import RestApi


@dg.scaffold_with(RestApiScaffolder)
class RestApiComponent(dg.Component, RestApi, dg.Resolvable):
    """One REST API as Dagster assets: each resource a dlt rest_api resource landed in the warehouse.

    Builds the API's subsettable multi-asset (one asset per resource, children depending on
    their parents, two table checks each), its credentials resource `<name>_api`, a job and
    schedule per entry of `schedules`, and a change sensor per incremental resource.
    """

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        from rest_assets.orchestration.api import api_definitions

        return api_definitions(self)
