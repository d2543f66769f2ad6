"""Full syncs of every API against the simulator, into a real DuckDB file, through Dagster."""

from __future__ import annotations

import json

import dlt
import pytest
from dagster import AssetKey

from rest_assets.engine.warehouse import Warehouse
from rest_assets.orchestration.loading import load_apis
from rest_assets_sim import Response

APIS = {api.name: api for api in load_apis()}


def primary_key(api_name: str, resource: str) -> tuple[str, str]:
    """(field in the API's records, column in DuckDB)."""
    api = APIS[api_name]
    (field,) = api.endpoints[resource].primary_key
    return field, api.column_name(field)


def assert_table_matches_api(project, api_name: str, resource: str) -> None:
    field, column = primary_key(api_name, resource)
    table = APIS[api_name].table_name(resource)
    expected = sorted(str(row[field]) for row in project.sim.expected_rows(api_name, resource))
    landed = sorted(str(key) for key in project.keys(api_name, table, column)) if expected else []
    assert landed == expected, f"{api_name}/{table}"


@pytest.mark.parametrize("api_name", sorted(APIS))
def test_full_sync_lands_every_row_once(make_project, api_name):
    project = make_project(default_rows=45)
    result = project.materialize(api_name)
    assert result.success

    for resource in APIS[api_name].resource_names:
        assert_table_matches_api(project, api_name, resource)

    # A second run merges on the primary key: same rows, no duplicates.
    project.materialize(api_name)
    for resource in APIS[api_name].resource_names:
        assert_table_matches_api(project, api_name, resource)


# Per API: resources sized to hit each paging edge, page sizes as the APIs document them.
# Several multi-page resources per API also guard against paginator state shared
# between resources (dlt extracts them interleaved; see engine/source.py).
EDGES = {
    "taskrouter": {"workspaces": 50, "workers": 1},  # exactly one full page of workspaces, one worker each
    "agency": {"clients": 0, "projects": 1, "invoices": 100, "holidays": 101, "project_tasks": 250},
    "resourcing": {"accounts": 0, "people": 1, "roles": 200, "projects": 201, "logged_time": 450},
    "workhub": {"tasks": 0, "users": 1, "projects": 100, "fields": 101, "spaces": 230},
    "datasync": {"jobs": 100, "connections": 101, "workspaces": 0},
}


@pytest.mark.parametrize("api_name", sorted(EDGES))
def test_pagination_edges(make_project, api_name):
    """Empty resources, a single row, exactly one full page, one past it, several pages."""
    project = make_project(sizes={api_name: EDGES[api_name]}, default_rows=3)
    assert project.materialize(api_name).success

    for resource, size in EDGES[api_name].items():
        expected_total = size * 50 if (api_name, resource) == ("taskrouter", "workers") else size
        assert project.sim.expected_count(api_name, resource) == expected_total
        assert_table_matches_api(project, api_name, resource)


# The wide resources: a list of objects (-> child table) and an object two levels deep (-> columns).
NESTED = {
    "agency/projects": ("milestones", "billing__address__city"),
    "resourcing/people": ("skills", "location__office__city"),
    "workhub/tasks": ("customFields", "sprint__window__starts_on"),
}


def test_lists_of_objects_land_in_child_tables_and_nested_objects_in_columns(project):
    assert project.materialize(*NESTED).success
    for asset, (listed, nested_column) in NESTED.items():
        api, table = asset.split("/")
        child = f"{table}__{APIS[api].column_name(listed)}"
        items = sum(len(row[listed]) for row in project.sim.expected_rows(api, table))
        assert project.count(api, child) == items > 30, f"{asset}: one row of {child} per item"
        orphans = project.query(f"select count(*) from {api}.{child} c left join {api}.{table} t "
                                "on c._dlt_root_id = t._dlt_id where t._dlt_id is null")[0][0]
        assert orphans == 0, f"{asset}: every child row belongs to a row of {table}"
        columns = {row[0] for row in project.query(
            f"select column_name from information_schema.columns where table_schema = '{api}' and table_name = '{table}'")}
        assert nested_column in columns and len(columns) > 40, asset


def test_materialization_metadata_names_the_real_table(project):
    definition = project.definitions().resolve_asset_graph().get(AssetKey(["agency", "clients"]))
    assert definition.metadata["dagster/table_name"] == "warehouse.agency.clients", "named before any run"
    result = project.materialize("agency/clients")
    (materialization,) = result.asset_materializations_for_node("agency_sync")
    metadata = materialization.metadata
    assert metadata["dagster/table_name"].value == "warehouse.agency.clients"
    assert project.query("select count(*) from warehouse.agency.clients")[0][0] == 30, "the name DuckDB knows"
    assert metadata["dagster/row_count"].value == project.count("agency", "clients") == 30
    assert metadata["rows_loaded"].value == 30
    assert metadata["endpoint"].value == "/api/workspace/clients"
    assert metadata["dlt_load_id"].value
    assert metadata["pages_fetched"].value == 1 and metadata["retries"].value == 0


def test_new_empty_duckdb_file_gets_a_full_load(make_project, tmp_path, monkeypatch):
    project = make_project()
    assert project.materialize("resourcing/logged_time").success
    project.sim.clear_requests()

    project.duckdb_path = tmp_path / "fresh.duckdb"
    monkeypatch.setenv("REST_ASSETS_DUCKDB_PATH", str(project.duckdb_path))
    assert project.materialize("resourcing/logged_time").success

    assert project.count("resourcing", "logged_time") == 30
    sent = {r.query.get("modified_since") for r in project.sim.requests if r.path == "/logged-time"}
    assert sent == {"2024-01-01T00:00:00Z"}, "a new warehouse must start from RESOURCING_START_DATE"


def test_declared_column_types_land_in_duckdb(project):
    """datasync's Schema section: numbers as BIGINT, objects and arrays as JSON columns (no child tables)."""
    assert project.materialize("datasync").success
    types = dict(project.query(
        "select table_name || '.' || column_name, data_type from information_schema.columns where table_schema = 'datasync'"
    ))
    assert types["jobs.job_id"] == "BIGINT"
    assert types["jobs.bytes_synced"] == "BIGINT"
    assert types["jobs.start_time"] == "VARCHAR", "declared as string: no type inference"
    assert types["connections.created_at"] == "BIGINT"
    assert types["connections.schedule"] == types["connections.tags"] == types["workspaces.notifications"] == "JSON"
    tables = {row[0] for row in project.query("select table_name from information_schema.tables where table_schema = 'datasync'")}
    assert not {t for t in tables if "__" in t and not t.startswith("_dlt")}, tables


def test_documented_fields_become_column_descriptions(project):
    graph = project.definitions().resolve_asset_graph()
    declared = {c.name: c for c in graph.get(AssetKey(["taskrouter", "workers"])).metadata["dagster/column_schema"].columns}
    description = "The unique identifier for the workspace that this worker belongs to."
    assert declared["workspace_sid"].description == description, "on the definition, before any run"
    assert declared["sid"].constraints.other == ["primary key"]
    assert declared["_deleted_at"].type == "timestamp"
    jobs = {c.name: c for c in graph.get(AssetKey(["datasync", "jobs"])).metadata["dagster/column_schema"].columns}
    assert (jobs["job_id"].type, jobs["job_id"].constraints.nullable) == ("bigint", False), "datasync's documented types"
    assert (jobs["bytes_synced"].type, jobs["bytes_synced"].constraints.nullable) == ("bigint", True)

    result = project.materialize("taskrouter")
    workers = next(m for m in result.get_asset_materialization_events() if m.asset_key.path[-1] == "workers")
    columns = {c.name: c for c in workers.materialization.metadata["dagster/column_schema"].value.columns}
    assert columns["workspace_sid"].description == description
    assert columns["sid"].type == "text" and columns["sid"].constraints.nullable is False
    assert set(declared) <= set(columns), "every declared column is loaded, under the same name"


def test_dlt_keeps_its_working_folders_inside_the_data_dir(project):
    assert project.materialize("agency/clients").success
    assert (project.data_dir / "dlt").is_dir()
    assert list((project.data_dir / "dlt").iterdir()) == [], "per-run working folders are removed after the run"


def test_values_land_exactly_as_the_api_served_them(project):
    """Declared text stays text to the letter; JSON columns keep the API's objects, no added keys."""
    assert project.materialize("datasync").success
    served_jobs = {row["jobId"]: row["lastUpdatedAt"] for row in project.sim.expected_rows("datasync", "jobs")}
    assert dict(project.query("select job_id, last_updated_at from datasync.jobs")) == served_jobs
    served = {row["connectionId"]: row["schedule"] for row in project.sim.expected_rows("datasync", "connections")}
    landed = {key: json.loads(value) if value is not None else None
              for key, value in project.query("select connection_id, schedule::varchar from datasync.connections")}
    assert landed == served


def test_metadata_counts_pages_and_retries_per_resource(make_project, monkeypatch):
    monkeypatch.setenv("REST_ASSETS_HTTP_BACKOFF_FACTOR", "0.01")  # the retries themselves are the fault suite's
    project = make_project(sizes={"taskrouter": {"workspaces": 120, "workers": 60}})
    failures = iter([True, True])  # the first two requests for a second page of workspaces fail
    project.sim.hooks.append(
        lambda ctx: Response(503, {"error": "busy"})
        if ctx.resource == "workspaces" and ctx.query.get("Page") == "1" and next(failures, False) else None
    )
    result = project.materialize("taskrouter")
    metadata = {m.asset_key.path[-1]: m.materialization.metadata for m in result.get_asset_materialization_events()}
    assert (metadata["workspaces"]["pages_fetched"].value, metadata["workspaces"]["retries"].value) == (3, 2)
    assert (metadata["workers"]["pages_fetched"].value, metadata["workers"]["retries"].value) == (120 * 2, 0)


def test_pages_are_counted_for_the_resource_that_asked_for_them_and_a_token_for_none(make_project):
    project = make_project(default_rows=30)
    result = project.materialize("datasync")
    pages = {m.asset_key.path[-1]: m.materialization.metadata["pages_fetched"].value
             for m in result.get_asset_materialization_events()}
    assert pages == {"jobs": 2, "connections": 1, "workspaces": 1}, "jobs stop on an empty page"
    assert [r.method for r in project.sim.requests].count("POST") == 1, "the one token request is no resource's page"


def test_duckdb_loads_run_under_the_configured_memory_limit(project, monkeypatch):
    monkeypatch.setenv("REST_ASSETS_DUCKDB_MEMORY_LIMIT", "192MB")
    assert project.materialize("agency/clients").success
    warehouse = project.definitions().resources["warehouse"]
    with warehouse.sql_client("agency") as client:
        # DuckDB reports 192 MB (decimal) in MiB
        assert client.execute_sql("select current_setting('memory_limit')")[0][0] == "183.1 MiB"


def test_a_step_run_again_where_an_attempt_of_it_died_starts_from_a_clean_working_folder(tmp_path):
    """A worker killed mid-sync leaves its run's dlt folder behind, with what it extracted; when the step runs
    again on that host (its task handed back to a restarted worker), none of that may be loaded."""
    warehouse = Warehouse(data_dir=str(tmp_path), duckdb_path=str(tmp_path / "warehouse.duckdb"))
    dead_attempt = dlt.pipeline(pipeline_name="agency", pipelines_dir=str(tmp_path / "dlt" / "run-1-agency"),
                                destination=warehouse.dlt_destination(), dataset_name="agency")
    dead_attempt.extract([{"id": 1, "name": "from the dead attempt"}], table_name="clients")
    assert dead_attempt.has_pending_data

    with warehouse.pipeline("agency", "run-1") as pipeline:
        assert not pipeline.has_pending_data
    assert list((tmp_path / "dlt").iterdir()) == []
