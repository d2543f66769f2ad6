"""Resource scheduling API (seed 002): people, projects, time off and logged time."""

from dagster import EnvVar

from rest_assets.engine import BearerTokenConnection, RestApi, SyncSchedule, env_or
from rest_assets.engine.incremental import datetime_param
from rest_assets.engine.paginators import SizedPageNumberPaginator

# resource name -> path
PATHS = {
    "accounts": "/accounts",
    "departments": "/departments",
    "people": "/people",
    "roles": "/roles",
    "public_holidays": "/public-holidays",
    "holidays": "/holidays",
    "projects": "/projects",
    "status": "/status",
    "time_off": "/timeoffs",
    "timeoff_types": "/timeoff-types",
    "clients": "/clients",
    "phases": "/phases",
    "project_tasks": "/project-tasks",
    "milestones": "/milestones",
    "tasks": "/tasks",
    "logged_time": "/logged-time",
}

# The seed's incremental_sync: datetime cursor on `modified`, sent as ?modified_since=.
# The first run starts at the connection's start_date (RESOURCING_START_DATE).
INCREMENTAL = {
    "logged_time": {
        "cursor_path": "modified",
        "start_param": "modified_since",
        "convert": datetime_param("%Y-%m-%dT%H:%M:%SZ"),
    }
}

API = RestApi(
    name="resourcing",
    description="Resource scheduling: people, projects, time off and logged time.",
    connection=BearerTokenConnection(
        base_url=env_or("RESOURCING_BASE_URL", "https://api.example.com/v3"),
        token=EnvVar("RESOURCING_API_TOKEN"),
        start_date=EnvVar("RESOURCING_START_DATE"),
    ),
    # Logged time changes all day; the rest is reference data.
    schedules=(SyncSchedule(cron="0 3 * * *"), SyncSchedule(cron="*/15 * * * *", resources=("logged_time",))),
    resource_defaults={
        "primary_key": "id",
        # The same id twice in one run (a record edited while paging): the latest `modified` wins.
        "columns": {"modified": {"data_type": "timestamp", "dedup_sort": "desc"}},
        "endpoint": {
            "data_selector": "data",
            # The seed's page_number + limit_param: ?page=1..&per-page=200, stop on a short or empty page.
            "paginator": SizedPageNumberPaginator(page_size=200, page_size_param="per-page", page_param="page"),
        },
    },
    resources=[
        {"name": name, "endpoint": {"path": path, **({"incremental": INCREMENTAL[name]} if name in INCREMENTAL else {})}}
        for name, path in PATHS.items()
    ],
)
