"""Work management API (seed 003): tasks, users, projects, spaces and time tracking."""

from dagster import EnvVar

from rest_assets.engine import ApiKeyConnection, RestApi, env_or

RESOURCES = ["tasks", "users", "projects", "fields", "time-offs", "spaces", "phases", "time-entries", "space-documents"]

API = RestApi(
    name="workhub",
    description="Work management: tasks, users, projects, spaces, time off and time entries.",
    connection=ApiKeyConnection(
        base_url=env_or("WORKHUB_BASE_URL", "https://api.example.com"),
        api_key=EnvVar("WORKHUB_API_KEY"),
        header_name="api_key",
    ),
    resource_defaults={
        "primary_key": "id",
        "endpoint": {
            "data_selector": "data",
            "params": {"limit": 100},
            # The seed's cursor + stop_condition: pageToken from pagination.nextPageToken,
            # stop when pagination.hasMore is false.
            "paginator": {
                "type": "cursor",
                "cursor_path": "pagination.nextPageToken",
                "cursor_param": "pageToken",
                "has_more_path": "pagination.hasMore",
            },
        },
    },
    resources=[{"name": name, "endpoint": {"path": f"/api/1.0/{name}"}} for name in RESOURCES],
)
