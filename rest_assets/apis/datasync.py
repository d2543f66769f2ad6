"""Data sync API (seed 004): jobs, connections and workspaces, behind OAuth2 client credentials."""

from dagster import EnvVar

from rest_assets.engine import OAuth2ClientCredentialsConnection, RestApi, env_or

# The seed's `cursor_param: next` means: the body's `next` is the absolute URL of the next page.
NEXT_LINK = {"type": "json_link", "next_url_path": "next"}
# The seed's Schema section. "number" fields hold integers (ids, counts, epoch seconds).
NULLABLE_TEXT = {"data_type": "text", "nullable": True}
NULLABLE_BIGINT = {"data_type": "bigint", "nullable": True}
NULLABLE_JSON = {"data_type": "json", "nullable": True}

API = RestApi(
    name="datasync",
    description="Data sync: jobs, connections and workspaces.",
    connection=OAuth2ClientCredentialsConnection(
        base_url=env_or("DATASYNC_BASE_URL", "https://api.example.com"),
        client_id=EnvVar("DATASYNC_CLIENT_ID"),
        client_secret=EnvVar("DATASYNC_CLIENT_SECRET"),
        token_url=env_or("DATASYNC_TOKEN_URL", "https://api.example.com/token"),
    ),
    resource_defaults={"write_disposition": "merge", "endpoint": {"data_selector": "data"}},
    resources=[
        {
            "name": "jobs",
            "primary_key": "jobId",
            "endpoint": {
                "path": "/v1/jobs",
                "paginator": {"type": "offset", "limit": 100, "offset_param": "offset", "limit_param": "limit", "total_path": None},
            },
            "columns": {
                "jobId": {"data_type": "bigint", "nullable": False},
                "lastUpdatedAt": {"data_type": "text", "nullable": False},
                "bytesSynced": NULLABLE_BIGINT,
                "connectionId": NULLABLE_TEXT,
                "duration": NULLABLE_TEXT,
                "jobType": NULLABLE_TEXT,
                "rowsSynced": NULLABLE_BIGINT,
                "startTime": NULLABLE_TEXT,
                "status": NULLABLE_TEXT,
            },
        },
        {
            "name": "connections",
            "primary_key": "connectionId",
            "endpoint": {"path": "/v1/connections", "paginator": NEXT_LINK},
            "columns": {
                "connectionId": {"data_type": "text", "nullable": False},
                "createdAt": NULLABLE_BIGINT,
                "dataResidency": NULLABLE_TEXT,
                "destinationId": NULLABLE_TEXT,
                "name": NULLABLE_TEXT,
                "namespaceDefinition": NULLABLE_TEXT,
                "namespaceFormat": NULLABLE_TEXT,
                "nonBreakingSchemaUpdatesBehavior": NULLABLE_TEXT,
                "prefix": NULLABLE_TEXT,
                "schedule": NULLABLE_JSON,
                "sourceId": NULLABLE_TEXT,
                "status": NULLABLE_TEXT,
                "tags": NULLABLE_JSON,
                "workspaceId": NULLABLE_TEXT,
            },
        },
        {
            "name": "workspaces",
            "primary_key": "workspaceId",
            "endpoint": {"path": "/v1/workspaces", "paginator": NEXT_LINK},
            "columns": {
                "workspaceId": {"data_type": "text", "nullable": False},
                "dataResidency": NULLABLE_TEXT,
                "name": NULLABLE_TEXT,
                "notifications": NULLABLE_JSON,
            },
        },
    ],
)
