"""Rows the API stops listing: soft (the default), hard, keep and history, and the guard against an empty answer."""

from __future__ import annotations

from rest_assets.orchestration.loading import load_apis
from rest_assets.orchestration.definitions import build_definitions
from rest_assets_tests.conftest import failure_text
from rest_assets_sim.faults import Fault, alter

def checks_passed(result) -> bool:
    evaluations = result.get_asset_check_evaluations()
    return bool(evaluations) and all(check.passed for check in evaluations)



def agency_with(deletions: str, **per_resource: str):
    """Definitions whose agency API has `deletions` set, and per resource where given (call after make_project)."""
    api = next(api for api in load_apis() if api.name == "agency")
    resources = [{**r, "deletions": per_resource[r["name"]]} if r["name"] in per_resource else r for r in api.resources]
    return build_definitions([api.replace(deletions=deletions, resources=resources)])


def row_counts(result, table: str) -> dict:
    """The row counts `table`'s materialization in a run records: current rows, and beside them the not-current."""
    (materialization,) = [m for m in result.get_asset_materialization_events()
                          if m.asset_key.path[-1] == table]
    metadata = materialization.materialization.metadata
    return {"row_count": metadata["dagster/row_count"].value,
            **{label: metadata[label].value for label in ("rows_soft_deleted", "rows_retired") if label in metadata}}


def deleted_ids(project, table: str) -> list:
    return [row[0] for row in project.query(f"select id from agency.{table} where _deleted_at is not null order by id")]


def test_soft_deletion_marks_missing_rows_and_clears_a_row_that_comes_back(make_project):
    project = make_project(sizes={"agency": {"clients": 40, "projects": 20}})
    assert project.materialize("agency/clients", "agency/projects").success
    project.sim.delete_rows("agency", "clients", [3, 17, 40])

    result = project.materialize("agency/clients", "agency/projects")

    assert deleted_ids(project, "clients") == [3, 17, 40]
    assert project.count("agency", "clients") == 40, "soft-deleted rows keep their place and their key"
    assert deleted_ids(project, "projects") == [] and project.count("agency", "projects") == 20
    assert project.metadata(result, "clients")["rows_deleted"].value == 3
    assert project.metadata(result, "projects")["rows_deleted"].value == 0
    assert checks_passed(result), "no duplicate keys"
    metadata = project.metadata(result, "clients")
    assert metadata["dagster/row_count"].value == 37 and metadata["rows_soft_deleted"].value == 3, "current rows"
    assert row_counts(result, "clients") == {"row_count": 37, "rows_soft_deleted": 3}
    assert row_counts(result, "projects") == {"row_count": 20, "rows_soft_deleted": 0}
    marked_at = dict(project.query("select id, _deleted_at from agency.clients where _deleted_at is not null"))

    project.sim.restore_rows("agency", "clients", [17])
    result = project.materialize("agency/clients")

    assert deleted_ids(project, "clients") == [3, 40]
    assert project.metadata(result, "clients")["rows_deleted"].value == 0, "rows already marked are not counted again"
    assert dict(project.query("select id, _deleted_at from agency.clients where _deleted_at is not null")) == {
        3: marked_at[3], 40: marked_at[40]}, "the first sync that missed a row dates its deletion"
    current = project.query("select count(*) from agency.clients where _deleted_at is null")[0][0]
    assert current == project.sim.expected_count("agency", "clients") == 38


def test_a_workspace_deleted_upstream_takes_its_workers_with_it(make_project):
    project = make_project(sizes={"taskrouter": {"workspaces": 4, "workers": 3}})
    assert project.materialize("taskrouter").success
    workspace = project.sim.expected_rows("taskrouter", "workspaces")[1]["sid"]
    its_workers = sorted(w["sid"] for w in project.sim.expected_rows("taskrouter", "workers") if w["workspace_sid"] == workspace)
    project.sim.delete_rows("taskrouter", "workspaces", [workspace])

    result = project.materialize("taskrouter")

    assert project.query("select sid from taskrouter.workspaces where _deleted_at is not null") == [(workspace,)]
    gone = sorted(row[0] for row in project.query("select sid from taskrouter.workers where _deleted_at is not null"))
    assert gone == its_workers and len(gone) == 3
    assert project.query("select count(*) from taskrouter.workers where _deleted_at is null")[0][0] == 9
    assert project.metadata(result, "workers")["rows_deleted"].value == 3
    assert project.metadata(result, "workers")["dagster/row_count"].value == 9, "current workers only"
    assert row_counts(result, "workers") == {"row_count": 9, "rows_soft_deleted": 3}


def test_hard_removes_rows_with_their_nested_rows_and_keep_keeps_them(make_project):
    project = make_project(sizes={"agency": {"invoices": 12, "projects": 10}})
    defs = agency_with("hard", projects="keep")
    assert project.materialize("agency/invoices", "agency/projects", defs=defs).success
    line_items = project.query("select count(*) from agency.invoices__line_items")[0][0]
    doomed_items = project.query("select count(*) from agency.invoices__line_items l join agency.invoices i "
                                 "on l._dlt_root_id = i._dlt_id where i.id in (2, 5)")[0][0]
    assert doomed_items > 0
    project.sim.delete_rows("agency", "invoices", [2, 5])
    project.sim.delete_rows("agency", "projects", [1, 2, 3])

    result = project.materialize("agency/invoices", "agency/projects", defs=defs)

    assert sorted(project.keys("agency", "invoices", "id")) == [i for i in range(1, 13) if i not in (2, 5)]
    assert project.query("select count(*) from agency.invoices__line_items")[0][0] == line_items - doomed_items
    assert project.metadata(result, "invoices")["rows_deleted"].value == 2
    assert project.count("agency", "projects") == 10, "keep: rows deleted upstream stay as they were"
    assert "_deleted_at" not in {row[0] for row in project.query(
        "select column_name from information_schema.columns where table_name in ('invoices', 'projects')")}
    assert project.metadata(result, "projects")["rows_deleted"].value == 0
    assert row_counts(result, "invoices") == {"row_count": 10}, "hard and keep: every row is current"
    assert row_counts(result, "projects") == {"row_count": 10}
    assert "rows_soft_deleted" not in project.metadata(result, "projects")


def test_history_keeps_every_version_and_retires_deleted_rows(make_project):
    project = make_project(sizes={"agency": {"clients": 20}})
    defs = agency_with("history")
    assert project.materialize("agency/clients", defs=defs).success
    project.sim.update_rows("agency", "clients", [4], {"name": "Renamed Ltd"})
    project.sim.delete_rows("agency", "clients", [9])

    result = project.materialize("agency/clients", defs=defs)

    assert project.count("agency", "clients") == 21, "the old version of client 4 stays beside the new one"
    current = project.query("select id, name from agency.clients where _dlt_valid_to is null order by id")
    assert [row[0] for row in current] == [i for i in range(1, 21) if i != 9]
    assert dict(current)[4] == "Renamed Ltd"
    retired = project.query("select id from agency.clients where _dlt_valid_to is not null order by id")
    assert retired == [(4,), (9,)]
    assert project.metadata(result, "clients")["rows_deleted"].value == 1
    assert checks_passed(result), "the key is unique among current rows"
    assert project.metadata(result, "clients")["dagster/row_count"].value == 19
    assert project.metadata(result, "clients")["rows_retired"].value == 2
    assert row_counts(result, "clients") == {"row_count": 19, "rows_retired": 2}

    project.sim.restore_rows("agency", "clients", [9])
    assert project.materialize("agency/clients", defs=defs).success
    assert project.query("select count(*) from agency.clients where id = 9 and _dlt_valid_to is null")[0][0] == 1


def test_an_api_that_suddenly_lists_nothing_is_refused_and_nothing_is_loaded(make_project):
    project = make_project(sizes={"agency": {"clients": 40, "projects": 8}})
    assert project.materialize("agency/clients", "agency/projects").success
    before = {table: project.query(f"select * from agency.{table} order by id") for table in ("clients", "projects")}
    empty = Fault(alter(lambda body: {**body, "results": [], "hasMore": False}), api="agency", resource="clients")
    project.sim.hooks.append(empty)
    project.sim.update_rows("agency", "projects", [1], {"name": "Changed upstream"})

    result = project.materialize("agency/clients", "agency/projects", raise_on_error=False)

    assert not result.success
    message = failure_text(result)
    assert "agency: this sync would delete 40 of the 40 current rows of agency.clients" in message
    assert "allow_mass_deletion" in message and "Nothing from this run was loaded" in message
    after = {table: project.query(f"select * from agency.{table} order by id") for table in ("clients", "projects")}
    assert after == before, "nothing loaded: not the deletions, not the other table's edit"

    result = project.materialize("agency/clients", "agency/projects", config={"allow_mass_deletion": True})
    assert deleted_ids(project, "clients") == list(range(1, 41))
    assert project.metadata(result, "clients")["rows_deleted"].value == 40


def test_a_handful_of_deletions_is_no_mass_deletion(make_project):
    project = make_project(sizes={"agency": {"clients": 8}})
    assert project.materialize("agency/clients").success
    project.sim.delete_rows("agency", "clients", [1, 2, 3, 4, 5])  # more than half, but only five
    assert project.materialize("agency/clients").success
    assert deleted_ids(project, "clients") == [1, 2, 3, 4, 5]


def test_incremental_resources_see_no_deletions_and_say_so(make_project):
    project = make_project(sizes={"resourcing": {"logged_time": 30}})
    assert project.materialize("resourcing/logged_time").success
    project.sim.delete_rows("resourcing", "logged_time", [1, 2])
    result = project.materialize("resourcing/logged_time")
    assert project.count("resourcing", "logged_time") == 30
    assert project.metadata(result, "logged_time")["deletions_applied"].text == "keep", "what this run did"
    definition = project.definitions().resolve_asset_graph().get(result.asset_materializations_for_node(
        "resourcing_sync")[0].asset_key)
    assert definition.metadata["deletions"] == "soft", "what the declaration says, on the definition"
    assert "full_refresh" in definition.description and "not seen" in definition.description


def test_a_table_switched_to_soft_gets_its_column_even_from_a_run_that_lists_nothing(make_project):
    project = make_project(sizes={"agency": {"clients": 8}})
    assert project.materialize("agency/clients", defs=agency_with("keep")).success
    project.sim.delete_rows("agency", "clients", list(range(1, 9)))

    result = project.materialize("agency/clients", config={"allow_mass_deletion": True})

    assert deleted_ids(project, "clients") == list(range(1, 9))
    assert project.metadata(result, "clients")["rows_deleted"].value == 8
