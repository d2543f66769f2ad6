"""`dg scaffold defs rest_assets.RestApiComponent <name> [--openapi <file or URL>]`: a defs.yaml that loads.

Without `--openapi`, a placeholder to fill in; with it, the API's resources generated from its
OpenAPI document (engine/openapi.py), written only once it loads.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Optional

import dagster as dg
import yaml
from pydantic import BaseModel, Field

from rest_assets.engine.declaration import RestApi
from rest_assets.engine.openapi import OpenApiError, generate, load_document

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


class RestApiScaffoldParams(BaseModel):
    openapi: Optional[str] = Field(
        default=None, description="The API's OpenAPI document, a file or an http(s) URL: its resources are generated.")


class RestApiScaffolder(dg.Scaffolder[RestApiScaffoldParams]):
    """Writes `<name>/defs.yaml`, from an OpenAPI document or with a placeholder resource: the definitions load at once."""

    @classmethod
    def get_scaffold_params(cls) -> type[RestApiScaffoldParams]:
        return RestApiScaffoldParams

    def scaffold(self, request: dg.ScaffoldRequest[RestApiScaffoldParams]) -> None:
        name = request.target_path.name
        if request.params is not None and request.params.openapi:
            write_defs(name, request.params.openapi, request.target_path)
            return
        request.target_path.mkdir(parents=True, exist_ok=True)
        (request.target_path / "defs.yaml").write_text(TEMPLATE.format(name=name, upper=name.upper()))


def validate_defs_yaml(text: str) -> None:
    """Load a defs.yaml's declaration as the project does: the API's definitions and the whole asset graph."""
    from rest_assets.orchestration.definitions import build_definitions  # it builds assets: not needed to scaffold

    try:
        api = RestApi.model_validate(yaml.safe_load(text)["attributes"])
        build_definitions([api]).resolve_asset_graph()
    except Exception as error:
        raise OpenApiError(f"the generated defs.yaml does not load, a bug of the generator: {error}") from error


def write_defs(name: str, source: str, folder: Path) -> Path:
    """Generate `folder/defs.yaml` for the API `name` from the document at `source`, checked by loading it first."""
    target = folder / "defs.yaml"
    if target.exists():
        raise OpenApiError(f"{target} exists: remove it, or choose another name")
    origin = source if urllib.parse.urlparse(source).scheme in ("http", "https") else Path(source).name
    text = generate(load_document(source), name, origin)
    validate_defs_yaml(text)
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
