"""resourcing/logged_time: incremental on `modified`, state kept in the warehouse, edits merged."""

from __future__ import annotations


def logged_time_requests(project) -> list[dict]:
    return [r.query for r in project.sim.requests if r.path == "/logged-time"]


def test_second_run_sends_saved_cursor_and_merges_edits(make_project):
    project = make_project(sizes={"resourcing": {"logged_time": 450}})
    assert project.materialize("resourcing/logged_time").success
    first = logged_time_requests(project)
    assert {q["modified_since"] for q in first} == {"2024-01-01T00:00:00Z"}
    cursor = max(row["modified"] for row in project.sim.expected_rows("resourcing", "logged_time"))

    project.sim.clear_requests()
    project.sim.update_rows("resourcing", "logged_time", [7, 300], {"minutes": 999, "note": "edited"})
    new_ids = project.sim.add_rows("resourcing", "logged_time", 2)
    assert project.materialize("resourcing/logged_time").success

    second = logged_time_requests(project)
    assert {q["modified_since"] for q in second} == {cursor}, "must resume from the cursor the last run saved"
    assert len(second) == 1, "only the changed rows come back: one short page"
    rows = dict(project.query("select id, minutes from resourcing.logged_time where note = 'edited'"))
    assert rows == {7: 999, 300: 999}
    assert project.count("resourcing", "logged_time") == 452
    assert project.query("select count(distinct id) from resourcing.logged_time")[0][0] == 452
    assert set(new_ids) <= set(project.keys("resourcing", "logged_time", "id"))


def test_run_of_another_resource_keeps_the_cursor(make_project):
    project = make_project()
    assert project.materialize("resourcing/logged_time").success
    cursor = max(row["modified"] for row in project.sim.expected_rows("resourcing", "logged_time"))
    assert project.materialize("resourcing/accounts").success

    project.sim.clear_requests()
    assert project.materialize("resourcing/logged_time").success
    assert {q["modified_since"] for q in logged_time_requests(project)} == {cursor}
