"""Agency management API (seed 001): clients, projects, expenses, invoices and more."""

from dagster import EnvVar

from rest_assets.engine import BearerTokenConnection, RestApi, env_or
from rest_assets.engine.paginators import LastRecordCursorPaginator

# resource name -> path under /api/workspace
PATHS = {
    "clients": "clients",
    "projects": "projects",
    "project_members": "project-members",
    "project_tasks": "project-tasks",
    "expense_reports": "expense-reports",
    "expense_items": "expense-items",
    "expense_categories": "expense-categories",
    "project_expense": "project-expenses",
    "project_budget_expenses": "project-budget-expenses",
    "workspace_members": "members",
    "opportunity_stages": "opportunity-stages",
    "invoices": "invoices",
    "holidays": "holidays",
}

API = RestApi(
    name="agency",
    description="Agency management: clients, projects, expenses, invoices.",
    connection=BearerTokenConnection(
        base_url=env_or("AGENCY_BASE_URL", "https://api.example.com"),
        token=EnvVar("AGENCY_API_TOKEN"),
    ),
    resource_defaults={
        "primary_key": "id",
        # The same id twice in one run (a record edited while paging): the latest updatedAt wins.
        "columns": {"updatedAt": {"data_type": "timestamp", "dedup_sort": "desc"}},
        "endpoint": {
            "data_selector": "results",
            "params": {"limit": 100},
            # The seed's cursor + stop_condition: startingAfter=<id of the last record>, stop when hasMore is false.
            "paginator": LastRecordCursorPaginator(cursor_param="startingAfter", cursor_field="id", has_more_path="hasMore"),
        },
    },
    resources=[{"name": name, "endpoint": {"path": f"/api/workspace/{path}"}} for name, path in PATHS.items()],
)
