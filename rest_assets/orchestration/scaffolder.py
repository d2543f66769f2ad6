"""`dg scaffold defs rest_assets.RestApiComponent <name> [--openapi <file or URL>]`: a defs.yaml that loads.

Without `--openapi`, a placeholder to fill in; with it, the API's resources generated from its
OpenAPI document (rest_assets/scaffold/), with the options the document leaves to the user. dg
creates the folder before the scaffolder runs: on a failure it is removed again (a retry works),
and the reason is one line.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

import click
import dagster as dg
from pydantic import BaseModel, Field

from rest_assets.scaffold import OpenApiError, Options, write_defs

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
    primary_key: list[str] = Field(
        default_factory=list, description="A key the document does not tell: `gid` (every resource with that "
        "field), `tasks=gid` (one resource), `stats=date+project` (two fields). Repeatable, or comma-separated.")
    include: list[str] = Field(
        default_factory=list, description="Only these endpoints (and their parents): paths (`/users*`) or tags "
        "(`tag:Users`). Repeatable, or comma-separated.")
    exclude: list[str] = Field(
        default_factory=list, description="Not these endpoints (nor their children): paths or tags.")
    paginator: list[str] = Field(
        default_factory=list, description="A dlt paginator (name or JSON) where the document shows no paging; "
        "`tasks=<name or JSON>` for one resource, over what was inferred. Repeatable.")

    def options(self) -> Options:
        return Options.parse(self.primary_key, self.include, self.exclude, self.paginator)


class RestApiScaffolder(dg.Scaffolder[RestApiScaffoldParams]):
    """Writes `<name>/defs.yaml`, from an OpenAPI document or with a placeholder resource: the definitions load at once."""

    @classmethod
    def get_scaffold_params(cls) -> type[RestApiScaffoldParams]:
        return RestApiScaffoldParams

    def scaffold(self, request: dg.ScaffoldRequest[RestApiScaffoldParams]) -> None:
        name = request.target_path.name
        params = request.params or RestApiScaffoldParams()
        if not params.openapi:
            if params.primary_key or params.include or params.exclude or params.paginator:
                _fail(request.target_path, "--primary-key, --include, --exclude and --paginator go with --openapi")
            request.target_path.mkdir(parents=True, exist_ok=True)
            (request.target_path / "defs.yaml").write_text(TEMPLATE.format(name=name, upper=name.upper()))
            return
        try:
            write_defs(name, params.openapi, request.target_path, params.options())
        except OpenApiError as error:
            _fail(request.target_path, str(error))
        except Exception as error:
            _fail(request.target_path, f"{type(error).__name__}: {error} (a bug of the OpenAPI generator)")


def _fail(folder: Path, message: str) -> None:
    """Remove what dg created for this scaffold, and stop with one line."""
    if folder.is_dir() and not (folder / "defs.yaml").exists():
        shutil.rmtree(folder)
    raise click.ClickException(message.splitlines()[0] if message else "the scaffold failed")
