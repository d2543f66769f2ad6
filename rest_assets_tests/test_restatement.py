"""Restating data through run config: `full_refresh` and `start_from`, from `materialize` and the generated jobs."""

from __future__ import annotations

from datetime import datetime

from rest_assets_tests.conftest import failure_text
from rest_assets_sim.faults import Fault, html_page

START_DATE = "2024-01-01T00:00:00Z"  # the simulator's RESOURCING_START_DATE



def sent_cursors(project) -> list[str]:
    return [r.query["modified_since"] for r in project.sim.requests if r.path == "/logged-time"]


def cursor_of(result) -> str:
    (materialization,) = [m for m in result.asset_materializations_for_node("resourcing_sync")
                          if m.asset_key.path[-1] == "logged_time"]
    return materialization.metadata["incremental_cursor"].value


def test_full_refresh_of_one_table_makes_it_equal_the_api_and_leaves_the_others_alone(make_project):
    project = make_project(sizes={"agency": {"clients": 40, "projects": 20}})
    assert project.materialize("agency/clients", "agency/projects").success
    project.sim.delete_rows("agency", "clients", [1, 2])
    project.sim.delete_rows("agency", "projects", [5])
    assert project.materialize("agency/clients", "agency/projects").success  # both soft-deleted now
    projects_before = project.query("select * from agency.projects order by id")

    result = project.materialize("agency/clients", config={"full_refresh": True})

    expected = sorted(row["id"] for row in project.sim.expected_rows("agency", "clients"))
    assert sorted(project.keys("agency", "clients", "id")) == expected and len(expected) == 38
    assert project.query("select count(*) from agency.clients where _deleted_at is not null")[0][0] == 0
    assert project.query("select * from agency.projects order by id") == projects_before
    metadata = project.metadata(result, "clients")
    assert metadata["full_refresh"].value is True and metadata["rows_deleted"].value == 2


def test_full_refresh_restarts_an_incremental_cursor_from_the_start_date(make_project):
    project = make_project(sizes={"resourcing": {"logged_time": 450}})
    first = project.materialize("resourcing/logged_time")
    project.sim.delete_rows("resourcing", "logged_time", [10, 11, 12])
    project.sim.clear_requests()

    result = project.materialize("resourcing/logged_time", config={"full_refresh": True})

    assert set(sent_cursors(project)) == {START_DATE} and len(sent_cursors(project)) == 3
    assert sorted(project.keys("resourcing", "logged_time", "id")) == [i for i in range(1, 451) if i not in (10, 11, 12)]
    assert cursor_of(result) == cursor_of(first), "the cursor is the newest value seen again"


def test_a_child_selected_alone_is_rebuilt_from_a_complete_walk_of_its_parent(make_project):
    project = make_project(sizes={"taskrouter": {"workspaces": 3, "workers": 2}})
    assert project.materialize("taskrouter").success
    workspace = project.sim.expected_rows("taskrouter", "workspaces")[0]["sid"]
    project.sim.delete_rows("taskrouter", "workspaces", [workspace])
    workspaces_before = project.query("select * from taskrouter.workspaces order by sid")

    assert project.materialize("taskrouter/workers", config={"full_refresh": True}).success

    assert project.count("taskrouter", "workers") == 4
    assert project.query(f"select count(*) from taskrouter.workers where workspace_sid = '{workspace}'") == [(0,)]
    assert project.query("select * from taskrouter.workspaces order by sid") == workspaces_before


def test_a_full_refresh_that_fails_part_way_changes_nothing(make_project):
    project = make_project(sizes={"resourcing": {"logged_time": 450, "people": 450}})
    assert project.materialize("resourcing/logged_time", "resourcing/people").success
    project.sim.update_rows("resourcing", "logged_time", [3], {"minutes": 5})
    project.sim.delete_rows("resourcing", "people", [7])
    assert project.materialize("resourcing/logged_time", "resourcing/people").success
    before = {t: project.query(f"select * from resourcing.{t} order by all") for t in ("logged_time", "people")}
    project.sim.delete_rows("resourcing", "people", [8, 9])
    project.sim.hooks.append(Fault(html_page(), api="resourcing", resource="logged_time",
                                   where=lambda ctx: ctx.query.get("page") == "2"))
    project.sim.clear_requests()

    result = project.materialize("resourcing/logged_time", "resourcing/people", raise_on_error=False,
                                 config={"full_refresh": True})

    assert not result.success
    assert "resourcing/logged_time: GET /resourcing/v3/logged-time answered HTTP 200 with text/html" in failure_text(result)
    assert {t: project.query(f"select * from resourcing.{t} order by all") for t in before} == before, "row for row"
    project.sim.hooks.clear()
    project.sim.clear_requests()
    assert project.materialize("resourcing/logged_time").success
    cursor = max(row["modified"] for row in project.sim.expected_rows("resourcing", "logged_time"))
    assert set(sent_cursors(project)) == {cursor}, "the failed restatement did not move the cursor"


def test_start_from_picks_up_an_edit_that_did_not_move_the_cursor_field(make_project):
    project = make_project(sizes={"resourcing": {"logged_time": 450}})
    first = project.materialize("resourcing/logged_time")
    row = project.sim.expected_rows("resourcing", "logged_time")[99]
    # An edit the API made without moving `modified`: a normal sync cannot see it.
    project.sim.update_rows("resourcing", "logged_time", [row["id"]], {"minutes": 4321, "modified": row["modified"]})
    assert project.materialize("resourcing/logged_time").success
    assert project.query(f"select minutes from resourcing.logged_time where id = {row['id']}") != [(4321,)]
    project.sim.clear_requests()

    result = project.materialize("resourcing/logged_time", config={"start_from": row["modified"]})

    assert set(sent_cursors(project)) == {row["modified"]}
    assert project.query(f"select minutes from resourcing.logged_time where id = {row['id']}") == [(4321,)]
    assert project.count("resourcing", "logged_time") == 450
    assert cursor_of(result) == cursor_of(first), "the cursor continues from the newest value, not from start_from"
    recorded = datetime.fromisoformat(project.metadata(result, "logged_time")["start_from"].value)
    assert recorded == datetime.fromisoformat(row["modified"].replace("Z", "+00:00"))
    project.sim.clear_requests()
    assert project.materialize("resourcing/logged_time").success
    assert set(sent_cursors(project)) == {cursor_of(first)}


def test_start_from_later_than_the_cursor_skips_nothing(make_project):
    project = make_project(sizes={"resourcing": {"logged_time": 30}})
    first = project.materialize("resourcing/logged_time")
    project.sim.clear_requests()
    assert project.materialize("resourcing/logged_time", config={"start_from": "2026-01-01T00:00:00Z"}).success
    assert set(sent_cursors(project)) == {cursor_of(first)}


def test_a_bad_start_from_fails_before_any_request(make_project):
    project = make_project()
    for value, reason in (("2024-13-05", "is not an ISO 8601 date and time"), ("2999-01-01T00:00:00Z", "is in the future")):
        result = project.materialize("resourcing/logged_time", raise_on_error=False, config={"start_from": value})
        assert not result.success
        assert f"resourcing: start_from '{value}' {reason}" in failure_text(result)
    assert project.sim.requests == []


def test_the_generated_jobs_take_the_run_config(make_project):
    project = make_project(sizes={"resourcing": {"logged_time": 30}})
    assert project.materialize("resourcing/logged_time").success
    project.sim.clear_requests()
    job = project.definitions().resolve_job_def("resourcing_logged_time_job")
    result = job.execute_in_process(run_config={"ops": {"resourcing_sync": {"config": {"start_from": START_DATE}}}})
    assert result.success
    assert set(sent_cursors(project)) == {START_DATE}
