"""PostgreSQL, the real server on 127.0.0.1:5432: as the destination, and as Dagster's instance storage."""

from __future__ import annotations

import shutil

import pytest
from dagster import AssetSelection, DagsterInstance, DagsterRunStatus, materialize

from rest_assets.orchestration.loading import all_definitions
from rest_assets_sim.faults import Fault, alter
from rest_assets_tests.conftest import REPO_ROOT, failure_text
from rest_assets_tests.postgres import SERVER, query, sim_counts, table_counts, throwaway_database


@pytest.fixture
def pg_project(make_project, monkeypatch):
    """The project loading into a throwaway Postgres database through dlt's postgres destination."""
    with throwaway_database("rest_assets_dest") as database:
        project = make_project(default_rows=120)
        monkeypatch.setenv("REST_ASSETS_DESTINATION", "postgres")
        # dlt requires a password; the server's trust auth ignores it.
        monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS",
                           f"postgresql://{SERVER['user']}:unused@{SERVER['host']}:{SERVER['port']}/{database}")
        project.database = database
        yield project


def expected_counts(project) -> dict[str, int]:
    return sim_counts(project.sim)


def landed_counts(project) -> dict[str, int]:
    return table_counts(project.database, expected_counts(project))


def test_full_sync_rerun_incremental_and_checks_on_postgres(pg_project):
    project = pg_project
    defs = project.definitions()
    assert {kind for node in defs.resolve_asset_graph().asset_nodes for kind in node.kinds} == {"dlt", "postgres"}
    with DagsterInstance.ephemeral() as instance:
        first = materialize(list(defs.assets), resources=defs.resources, instance=instance,
                            selection=AssetSelection.all())  # with each asset's table checks
        assert first.success
        assert landed_counts(project) == expected_counts(project)
        assert all(check.passed for check in first.get_asset_check_evaluations())
        assert len(first.get_asset_check_evaluations()) == 43  # the key check of each

        project.sim.update_rows("resourcing", "logged_time", [5], {"minutes": 777})
        cursor = max(r["modified"] for r in project.sim.expected_rows("resourcing", "logged_time") if r["id"] != 5)
        project.sim.clear_requests()
        assert project.materialize().success  # everything again: merge, no duplicates
        assert landed_counts(project) == expected_counts(project)

    sent = {r.query["modified_since"] for r in project.sim.requests if r.path == "/logged-time"}
    assert sent == {cursor}, "incremental state restored from the Postgres dataset"
    assert query(project.database, "select minutes from resourcing.logged_time where id = 5") == [(777,)]
    materialization = first.asset_materializations_for_node("agency_sync")[0]
    table_name = materialization.metadata["dagster/table_name"].value
    assert table_name.startswith(f"{project.database}.agency.")
    assert defs.resolve_asset_graph().get(materialization.asset_key).metadata["dagster/table_name"] == table_name, (
        "the definition names the table the run wrote")


def test_definitions_without_the_destinations_credentials_name_no_table(project, monkeypatch):
    """Where the definitions load without dlt's credentials, the database is unknown: no name rather than a wrong one."""
    monkeypatch.setenv("REST_ASSETS_DESTINATION", "postgres")
    monkeypatch.delenv("DESTINATION__POSTGRES__CREDENTIALS", raising=False)
    nodes = all_definitions().resolve_asset_graph().asset_nodes
    assert [node for node in nodes if "dagster/table_name" in node.metadata] == []
    assert all("dagster/column_schema" in node.metadata for node in nodes), "the declared columns all the same"


def test_deletions_and_the_mass_deletion_guard_on_postgres(pg_project):
    project = pg_project
    assert project.materialize("taskrouter", "agency/clients", "agency/invoices").success
    workspace = project.sim.expected_rows("taskrouter", "workspaces")[0]["sid"]
    its_workers = sum(1 for w in project.sim.expected_rows("taskrouter", "workers") if w["workspace_sid"] == workspace)
    project.sim.delete_rows("taskrouter", "workspaces", [workspace])
    project.sim.delete_rows("agency", "clients", [4, 5])

    result = project.materialize("taskrouter", "agency/clients")

    assert result.success
    assert query(project.database, "select sid from taskrouter.workspaces where _deleted_at is not null") == [(workspace,)]
    marked = query(project.database, "select count(*) from taskrouter.workers where _deleted_at is not null")[0][0]
    assert marked == its_workers == project.metadata(result, "workers")["rows_deleted"].value == 120
    assert query(project.database, "select id from agency.clients where _deleted_at is not null order by id") == [(4,), (5,)]
    project.sim.restore_rows("agency", "clients", [5])
    assert project.materialize("agency/clients").success
    assert query(project.database, "select id from agency.clients where _deleted_at is not null") == [(4,)]

    # An API answering with nothing: refused, nothing loaded; then a full refresh makes the table equal the API.
    invoices = query(project.database, "select * from agency.invoices order by id")
    project.sim.hooks.append(Fault(alter(lambda body: {**body, "results": [], "hasMore": False}), api="agency",
                                   resource="invoices"))
    refused = project.materialize("agency/invoices", raise_on_error=False)
    assert "would delete 120 of the 120 current rows of agency.invoices" in failure_text(refused)
    assert query(project.database, "select * from agency.invoices order by id") == invoices
    project.sim.hooks.clear()
    project.sim.delete_rows("agency", "invoices", [7])
    assert project.materialize("agency/invoices", config={"full_refresh": True}).success
    assert [row[0] for row in query(project.database, "select id from agency.invoices order by id")] == [
        i for i in range(1, 121) if i != 7]


def test_production_instance_stores_runs_in_postgres(project, monkeypatch, tmp_path):
    """deploy/dagster.yaml against the local server: materialize a source, read the run back."""
    shutil.copy(REPO_ROOT / "deploy" / "dagster.yaml", tmp_path / "dagster.yaml")  # as deploy/README.md says
    with throwaway_database("rest_assets_dagster") as database:
        for name, value in {"DAGSTER_PG_HOST": SERVER["host"], "DAGSTER_PG_PORT": str(SERVER["port"]),
                            "DAGSTER_PG_USERNAME": SERVER["user"], "DAGSTER_PG_PASSWORD": "",
                            "DAGSTER_PG_DB": database}.items():
            monkeypatch.setenv(name, value)
        defs = project.definitions()
        with DagsterInstance.from_config(str(tmp_path)) as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
            assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
            assert instance.run_retries_max_retries == 1
            pools = instance.get_concurrency_config().pool_config
            assert (pools.pool_granularity.value, pools.default_pool_limit) == ("run", 1)
            result = materialize(list(defs.assets), resources=defs.resources, instance=instance,
                                 selection=AssetSelection.groups("workhub"))
            assert result.success
            run = instance.get_run_by_id(result.run_id)
            assert run.status == DagsterRunStatus.SUCCESS
            assert instance.get_latest_materialization_event(
                next(k for k in defs.resolve_asset_graph().get_all_asset_keys() if k.path == ["workhub", "tasks"])
            ).run_id == result.run_id
        stored = query(database, f"select status from runs where run_id = '{result.run_id}'")
        assert stored == [("SUCCESS",)]
