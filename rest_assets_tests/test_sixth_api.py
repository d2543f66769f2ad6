"""A sixth API added as one defs.yaml, no Python, from a folder outside the package (REST_ASSETS_API_PATH).

Its children refer to their parent in each form dlt accepts: a placeholder in a query param, and a
`resolve` param bound in the path. The API (header_link paging, bearer auth) is served by the
simulator through its hook extension point; nothing in rest_assets changes.
"""

from __future__ import annotations

import json
from textwrap import dedent

from dagster import AssetKey, AssetSelection, DagsterInstance, evaluate_automation_conditions, materialize

from rest_assets_sim import Response

TOKEN = "helpdesk-token-5c1a"
DEFS_YAML = dedent("""
    type: rest_assets.RestApiComponent

    attributes:
      name: helpdesk
      description: "Helpdesk: tickets, their comments and their history."
      client:
        base_url: "{{ env('HELPDESK_BASE_URL', 'https://helpdesk.example.com') }}"
        auth: {type: bearer, token_env: HELPDESK_API_TOKEN}
      resource_defaults:
        primary_key: id
        endpoint:
          params: {per_page: 25}
          paginator: {type: header_link}
      resources:
        - name: tickets
          endpoint: {path: /tickets}
        - name: comments
          endpoint:
            path: /comments
            params: {ticket_id: "{resources.tickets.id}"}
        - name: history
          endpoint:
            path: "/tickets/{ticket}/history"
            params: {ticket: {type: resolve, resource: tickets, field: id}}
      schedules:
        - cron: "0 * * * *"
""")


class Helpdesk:
    """A JSON-list API paged by `Link: <next>; rel="next"` headers, as a simulator hook."""

    def __init__(self, root_url: str, tickets: int, per_ticket: int):
        self.root_url = root_url
        self.tickets = [{"id": i, "subject": f"Ticket {i}", "status": "open"} for i in range(1, tickets + 1)]
        self.comments = {t["id"]: [{"id": t["id"] * 1000 + j, "ticket_id": t["id"], "body": f"comment {j}"}
                                   for j in range(per_ticket)] for t in self.tickets}
        self.history = {t["id"]: [{"id": f"{t['id']}-{j}", "event": "opened" if j == 0 else "updated"}
                                  for j in range(per_ticket)] for t in self.tickets}

    def rows(self, ctx) -> list | None:
        parts = ctx.path.removeprefix("/helpdesk/").split("/")
        if parts == ["tickets"]:
            return self.tickets
        if parts == ["comments"]:
            return self.comments.get(int(ctx.query.get("ticket_id", 0)))
        if len(parts) == 3 and parts[0] == "tickets" and parts[2] == "history":
            return self.history.get(int(parts[1]))
        return None

    def __call__(self, ctx):
        if not ctx.path.startswith("/helpdesk/"):
            return None
        if ctx.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response(401, {"error": "unauthorized"})
        rows = self.rows(ctx)
        if rows is None:
            return Response(404, {"error": "not found"})
        page, size = int(ctx.query.get("page", 1)), int(ctx.query.get("per_page", 10))
        headers = {"Content-Type": "application/json"}
        if page * size < len(rows):
            query = "&".join(f"{k}={v}" for k, v in {**ctx.query, "page": page + 1}.items())
            headers["Link"] = f'<{self.root_url}/helpdesk/{ctx.path.removeprefix("/helpdesk/")}?{query}>; rel="next"'
        return Response(200, json.dumps(rows[(page - 1) * size: page * size]), headers)


def test_a_defs_yaml_outside_the_package_becomes_assets_lineage_schedule_and_checks(make_project, tmp_path, monkeypatch):
    (tmp_path / "my_apis" / "helpdesk").mkdir(parents=True)
    (tmp_path / "my_apis" / "helpdesk" / "defs.yaml").write_text(DEFS_YAML)
    project = make_project()
    project.sim.hooks.append(Helpdesk(project.sim.root_url, tickets=60, per_ticket=3))
    monkeypatch.setenv("REST_ASSETS_API_PATH", str(tmp_path / "my_apis"))
    monkeypatch.setenv("HELPDESK_BASE_URL", f"{project.sim.root_url}/helpdesk")
    monkeypatch.setenv("HELPDESK_API_TOKEN", TOKEN)

    defs = project.definitions()
    graph = defs.resolve_asset_graph()
    tickets, comments, history = (AssetKey(["helpdesk", name]) for name in ("tickets", "comments", "history"))
    assert len(graph.get_all_asset_keys()) == 46
    assert graph.get(comments).parent_keys == {tickets}, "a parent in a query param is lineage too"
    assert graph.get(history).parent_keys == {tickets}, "and in a resolve param"
    assert graph.get(comments).automation_condition is not None and graph.get(history).automation_condition is not None
    schedule = defs.get_repository_def().get_schedule_def("helpdesk_schedule")
    assert schedule.cron_schedule == "0 * * * *"
    assert {k.name for k in graph.get_check_keys_for_assets([tickets, comments, history])} == {
        "primary_key_unique_and_not_null"}
    assert graph.get(comments).freshness_policy.deadline_cron == "0 * * * *"

    with DagsterInstance.ephemeral() as instance:
        result = materialize(list(defs.assets), resources=defs.resources, instance=instance,
                             selection=AssetSelection.groups("helpdesk"))
        assert result.success
        ticket_pages = [r for r in project.sim.requests if r.path == "/helpdesk/tickets"]
        fresh = evaluate_automation_conditions(defs=defs, instance=instance)
        assert materialize(list(defs.assets), resources=defs.resources, instance=instance, selection=[tickets]).success
        followed = evaluate_automation_conditions(defs=defs, instance=instance, cursor=fresh.cursor)
    assert followed.get_requested_partitions(comments) == followed.get_requested_partitions(history) == {None}, (
        "both children follow their parent")
    assert (project.count("helpdesk", "tickets"), project.count("helpdesk", "comments"),
            project.count("helpdesk", "history")) == (60, 180, 180)
    assert project.query("select count(distinct ticket_id) from helpdesk.comments") == [(60,)]
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 3 and all(check.passed for check in evaluations)
    assert len(ticket_pages) == 3, "the Link header, 25 a page"
