"""A sixth API added by configuration alone, from a directory outside the package.

The API (header_link pagination, a parent/child pair, bearer auth) is served by the
simulator through its hook extension point; nothing in rest_assets changes.
"""

from __future__ import annotations

import json
from textwrap import dedent

from dagster import AssetKey, AssetSelection, DagsterInstance, materialize

from rest_assets_sim import Response

TOKEN = "helpdesk-token-5c1a"
CONFIG = dedent('''
    """Helpdesk API: tickets and their comments (a user's own configuration)."""
    from dagster import EnvVar

    from rest_assets.engine import BearerTokenConnection, RestApi, SyncSchedule, env_or

    API = RestApi(
        name="helpdesk",
        description="Helpdesk: tickets and their comments.",
        connection=BearerTokenConnection(
            base_url=env_or("HELPDESK_BASE_URL", "https://helpdesk.example.com"),
            token=EnvVar("HELPDESK_API_TOKEN"),
        ),
        resource_defaults={
            "primary_key": "id",
            "endpoint": {"params": {"per_page": 25}, "paginator": {"type": "header_link"}},
        },
        resources=[
            {"name": "tickets", "endpoint": {"path": "/tickets"}},
            {"name": "comments", "endpoint": {"path": "/tickets/{resources.tickets.id}/comments"}},
        ],
        schedules=(SyncSchedule(cron="0 * * * *"),),
    )
''')


class Helpdesk:
    """A JSON-list API paged by `Link: <next>; rel="next"` headers, as a simulator hook."""

    def __init__(self, root_url: str, tickets: int, comments_per_ticket: int):
        self.root_url = root_url
        self.tickets = [{"id": i, "subject": f"Ticket {i}", "status": "open"} for i in range(1, tickets + 1)]
        self.comments = {
            t["id"]: [{"id": t["id"] * 1000 + j, "ticket_id": t["id"], "body": f"comment {j}"}
                      for j in range(comments_per_ticket)]
            for t in self.tickets
        }

    def __call__(self, ctx):
        if not ctx.path.startswith("/helpdesk/"):
            return None
        if ctx.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response(401, {"error": "unauthorized"})
        parts = ctx.path.removeprefix("/helpdesk/").split("/")
        rows = self.tickets if parts == ["tickets"] else self.comments.get(int(parts[1])) if len(parts) == 3 else None
        if rows is None:
            return Response(404, {"error": "not found"})
        page, size = int(ctx.query.get("page", 1)), int(ctx.query.get("per_page", 10))
        headers = {"Content-Type": "application/json"}
        if page * size < len(rows):
            headers["Link"] = f'<{self.root_url}{ctx.path}?page={page + 1}&per_page={size}>; rel="next"'
        return Response(200, json.dumps(rows[(page - 1) * size: page * size]), headers)


def test_a_config_module_outside_the_package_becomes_assets_lineage_schedule_and_checks(make_project, tmp_path,
                                                                                         monkeypatch):
    config_dir = tmp_path / "my_apis"
    config_dir.mkdir()
    (config_dir / "helpdesk.py").write_text(CONFIG)
    project = make_project()
    helpdesk = Helpdesk(project.sim.root_url, tickets=60, comments_per_ticket=3)
    project.sim.hooks.append(helpdesk)
    monkeypatch.setenv("REST_ASSETS_API_PATH", str(config_dir))
    monkeypatch.setenv("HELPDESK_BASE_URL", f"{project.sim.root_url}/helpdesk")
    monkeypatch.setenv("HELPDESK_API_TOKEN", TOKEN)

    defs = project.definitions()
    graph = defs.resolve_asset_graph()
    tickets, comments = AssetKey(["helpdesk", "tickets"]), AssetKey(["helpdesk", "comments"])
    assert len(graph.get_all_asset_keys()) == 45
    assert graph.get(comments).parent_keys == {tickets}
    assert graph.get(comments).automation_condition is not None
    schedule = defs.get_repository_def().get_schedule_def("helpdesk_schedule")
    assert schedule.cron_schedule == "0 * * * *"
    assert {k.name for k in graph.get_check_keys_for_assets([tickets, comments])} == {
        "primary_key_unique_and_not_null", "row_count"}
    assert graph.get(comments).freshness_policy.deadline_cron == "0 * * * *"

    with DagsterInstance.ephemeral() as instance:
        result = materialize(list(defs.assets), resources=defs.resources, instance=instance,
                             selection=AssetSelection.groups("helpdesk"))
    assert result.success
    assert project.count("helpdesk", "tickets") == 60
    assert project.count("helpdesk", "comments") == 180
    assert all(check.passed for check in result.get_asset_check_evaluations())
    pages = [r for r in project.sim.requests if r.path == "/helpdesk/tickets"]
    assert len(pages) == 3, "followed the Link header, 25 a page"
