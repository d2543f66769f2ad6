"""`dg scaffold defs rest_assets.RestApiComponent <name>`: a defs.yaml that loads, to fill in."""

from __future__ import annotations

import dagster as dg

TEMPLATE = """\
# {name}: one REST API as assets (README, "Adding an API"). Replace the placeholders below.
type: rest_assets.RestApiComponent

attributes:
  name: {name}
  description: "{name}: what this API holds (shown on every asset)."
  # dlt's rest_api config, in any form dlt takes. A secret is named, never written: <key>_env: ENV_VAR.
  client:
    base_url: "{{{{ env('{upper}_BASE_URL', 'https://{name}.example.com') }}}}"
    auth: {{type: bearer, token_env: {upper}_API_TOKEN}}
  resource_defaults:
    primary_key: id
    endpoint:
      paginator: header_link
  # One asset per resource. A child names its parent: {{resources.<parent>.<field>}} in its path or params.
  resources:
    - name: items
      endpoint: {{path: /items}}
"""


class RestApiScaffolder(dg.Scaffolder):
    """Writes `<name>/defs.yaml` with a placeholder resource: the definitions load at once."""

    def scaffold(self, request: dg.ScaffoldRequest) -> None:
        name = request.target_path.name
        request.target_path.mkdir(parents=True, exist_ok=True)
        (request.target_path / "defs.yaml").write_text(TEMPLATE.format(name=name, upper=name.upper()))
