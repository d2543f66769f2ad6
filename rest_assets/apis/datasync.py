"""Data sync API (seed 004): jobs, connections and workspaces, behind OAuth2 client credentials."""

from dagster import EnvVar

from rest_assets.engine import OAuth2ClientCredentialsConnection, RestApi, env_or

# The seed's `cursor_param: next` means: the body's `next` is the absolute URL of the next page.
NEXT_LINK = {"type": "json_link", "next_url_path": "next"}


def column(data_type: str, nullable: bool = True) -> dict:
    """A column hint from the seed's Schema section ("number" fields hold integers: ids, counts, epochs).

    A new dict each time: dlt writes into column hints, so a shared one ends up describing the last column.
    """
    return {"data_type": data_type, "nullable": nullable}


API = RestApi(
    name="datasync",
    description="Data sync: jobs, connections and workspaces.",
    connection=OAuth2ClientCredentialsConnection(
        base_url=env_or("DATASYNC_BASE_URL", "https://api.example.com"),
        client_id=EnvVar("DATASYNC_CLIENT_ID"),
        client_secret=EnvVar("DATASYNC_CLIENT_SECRET"),
        token_url=env_or("DATASYNC_TOKEN_URL", "https://api.example.com/token"),
    ),
    resource_defaults={"endpoint": {"data_selector": "data"}},
    resources=[
        {
            "name": "jobs",
            "primary_key": "jobId",
            "endpoint": {
                "path": "/v1/jobs",
                "paginator": {"type": "offset", "limit": 100, "offset_param": "offset", "limit_param": "limit", "total_path": None},
            },
            "columns": {
                "jobId": column("bigint", nullable=False),
                # The same jobId twice in one run: the latest lastUpdatedAt wins.
                "lastUpdatedAt": {**column("text", nullable=False), "dedup_sort": "desc"},
                "bytesSynced": column("bigint"),
                "connectionId": column("text"),
                "duration": column("text"),
                "jobType": column("text"),
                "rowsSynced": column("bigint"),
                "startTime": column("text"),
                "status": column("text"),
            },
        },
        {
            "name": "connections",
            "primary_key": "connectionId",
            "endpoint": {"path": "/v1/connections", "paginator": NEXT_LINK},
            "columns": {
                "connectionId": column("text", nullable=False),
                "createdAt": column("bigint"),
                "dataResidency": column("text"),
                "destinationId": column("text"),
                "name": column("text"),
                "namespaceDefinition": column("text"),
                "namespaceFormat": column("text"),
                "nonBreakingSchemaUpdatesBehavior": column("text"),
                "prefix": column("text"),
                "schedule": column("json"),
                "sourceId": column("text"),
                "status": column("text"),
                "tags": column("json"),
                "workspaceId": column("text"),
            },
        },
        {
            "name": "workspaces",
            "primary_key": "workspaceId",
            "endpoint": {"path": "/v1/workspaces", "paginator": NEXT_LINK},
            "columns": {
                "workspaceId": column("text", nullable=False),
                "dataResidency": column("text"),
                "name": column("text"),
                "notifications": column("json"),
            },
        },
    ],
)
