"""`dg scaffold defs rest_assets.RestApiComponent <name>`: a defs.yaml that loads, to fill in."""

from __future__ import annotations

import dagster as dg


class RestApiScaffolder(dg.Scaffolder):
    """Writes `<name>/defs.yaml` with a placeholder resource: the definitions load at once, and each
    value says what to put there (README, "Adding an API")."""

    def scaffold(self, request: dg.ScaffoldRequest) -> None:
        name = request.target_path.name
        dg.scaffold_component(request, placeholder_attributes(name))


def placeholder_attributes(name: str) -> dict:
    upper = name.upper()
    return {
        "name": name,
        "description": f"{name}: what this API holds (shown on every asset).",
        "client": {
            "base_url": f"{{{{ env('{upper}_BASE_URL', 'https://{name}.example.com') }}}}",
            "auth": {"type": "bearer", "token_env": f"{upper}_API_TOKEN"},
        },
        "resource_defaults": {"primary_key": "id", "endpoint": {"paginator": {"type": "header_link"}}},
        "resources": [{"name": "items", "endpoint": {"path": "/items"}}],
    }
