"""Task routing API (seed 000): workspaces and the workers of each workspace."""

from dagster import EnvVar

from rest_assets.engine import BasicAuthConnection, RestApi, env_or

# meta.next_page_url is the absolute URL of the next page (null on the last);
# it repeats the page size, so PageSize is only sent on the first request.
PAGE = {"paginator": {"type": "json_link", "next_url_path": "meta.next_page_url"}, "params": {"PageSize": 50}}

API = RestApi(
    name="taskrouter",
    description="Task routing: workspaces and their workers.",
    connection=BasicAuthConnection(
        base_url=env_or("TASKROUTER_BASE_URL", "https://api.example.com"),
        username=EnvVar("TASKROUTER_ACCOUNT_SID"),
        password=EnvVar("TASKROUTER_AUTH_TOKEN"),
    ),
    resource_defaults={"primary_key": "sid"},
    resources=[
        {
            "name": "workspaces",
            "endpoint": {"path": "/v1/resource", "data_selector": "workspaces", **PAGE},
            "columns": {
                "account_sid": {"description": "The unique identifier for the account associated with the workspace."},
                "date_created": {"description": "The date and time when the workspace was created."},
                # The same sid twice in one run: the latest date_updated wins.
                "date_updated": {"description": "The date and time when the workspace was last updated.", "dedup_sort": "desc"},
                "default_activity_name": {"description": "The name of the default activity for the workspace."},
                "default_activity_sid": {"description": "The unique identifier for the default activity of the workspace."},
                "event_callback_url": {"description": "The URL to which task events will be sent."},
                "events_filter": {"description": "Filter for specifying which events should be sent to the callback URL."},
                "friendly_name": {"description": "A user-friendly name for the workspace."},
                "multi_task_enabled": {"description": "Indicates whether multitasking is enabled for the workspace."},
                "sid": {"description": "The unique identifier for the workspace."},
                "timeout_activity_sid": {"description": "The unique identifier for the activity that tasks are routed to on timeout."},
                "timeout_activity_name": {"description": "The name of the activity that tasks are routed to on timeout."},
                "url": {"description": "The URL of the workspace."},
            },
        },
        {
            "name": "workers",
            # The seed's {{ stream_slice.id }}: the parent workspace's key, its `sid`.
            "endpoint": {"path": "/v1/resource/{resources.workspaces.sid}/Workers", "data_selector": "workers", **PAGE},
            "columns": {
                "account_sid": {"description": "The unique identifier for the account that this worker belongs to."},
                "activity_sid": {"description": "The unique identifier of the current activity of the worker."},
                "activity_name": {"description": "The name of the current activity of the worker."},
                "attributes": {"description": "Custom attributes or metadata associated with the worker."},
                "available": {"description": "Indicates if the worker is available for tasks."},
                "date_created": {"description": "The date and time when the worker was created."},
                "date_status_changed": {"description": "The date and time when the worker's status was last changed."},
                "date_updated": {"description": "The date and time when the worker was last updated.", "dedup_sort": "desc"},
                "friendly_name": {"description": "A friendly name or label for the worker."},
                "sid": {"description": "The unique identifier for the worker."},
                "url": {"description": "The resource URL for accessing details of the worker."},
                "workspace_sid": {"description": "The unique identifier for the workspace that this worker belongs to."},
            },
        },
    ],
)
