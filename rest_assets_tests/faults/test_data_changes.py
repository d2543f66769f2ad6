"""Data that changes under a sync: the same key twice in a run, rows added while paging, fields that change type or
appear, and a resource with nothing in it."""

from __future__ import annotations

from datetime import timedelta

import dlt
import pytest

from rest_assets.orchestration.loading import load_apis
from rest_assets.engine.schema_changes import schema_changes
from rest_assets.engine.source import build_source
from rest_assets_sim.data import parse_ts, ts
from rest_assets_sim.faults import Fault, alter
from rest_assets_tests.conftest import run_credentials

pytestmark = pytest.mark.faults

# --- the same key twice in one run ----------------------------------------------------------------

# resource -> (records key in the body, key field, update timestamp field), one per API with such a field
VERSIONED = {
    "agency/clients": ("results", "id", "updatedAt"),
    "resourcing/people": ("data", "id", "modified"),
    "taskrouter/workspaces": ("workspaces", "sid", "date_updated"),
    "datasync/jobs": ("data", "jobId", "lastUpdatedAt"),
}


def second_version(body: dict, newer: bool, selector: str, key: str, stamp: str) -> dict:
    """The page with one more copy of its first record, a day newer or older, marked as the copy."""
    first = body[selector][0]
    shifted = parse_ts(first[stamp]) + timedelta(days=1 if newer else -1)
    body[selector].append({**first, stamp: ts(shifted), "version": "copy"})
    return body


@pytest.mark.parametrize("newer_copy", [True, False], ids=["newer-copy-last", "newer-original-first"])
def test_the_same_key_twice_in_one_run_keeps_the_latest_version(make_project, newer_copy):
    project = make_project(default_rows=20)
    for asset, (selector, key, stamp) in VERSIONED.items():
        api, resource = asset.split("/")
        project.sim.hooks.append(Fault(alter(lambda body, s=selector, k=key, t=stamp: second_version(body, newer_copy, s, k, t)),
                                       api=api, resource=resource, nth={1}))

    assert project.materialize(*VERSIONED).success

    for asset, (selector, key, stamp) in VERSIONED.items():
        api, table = asset.split("/")
        column_key, column_stamp = {"jobId": "job_id"}.get(key, key), {"updatedAt": "updated_at", "lastUpdatedAt": "last_updated_at"}.get(stamp, stamp)
        first = project.sim.expected_rows(api, table)[0]
        rows = project.query(f"select version, {column_stamp} from {api}.{table} where {column_key} = '{first[key]}'")
        assert len(rows) == 1, f"{asset}: one row per key"
        assert rows[0][0] == ("copy" if newer_copy else None), f"{asset}: the version with the latest {stamp} wins"
        assert project.count(api, table) == 20


# --- rows added and edited while paging -----------------------------------------------------------

GROWING = ["agency/clients", "resourcing/people", "resourcing/logged_time", "workhub/tasks", "datasync/jobs"]


def test_rows_added_and_edited_while_paging_are_all_there_after_the_next_run(make_project):
    project = make_project(default_rows=450)
    added: dict[str, list] = {}

    def grow_and_edit(api: str, resource: str, key_field: str):
        def during_second_page(ctx):
            added[f"{api}/{resource}"] = project.sim.add_rows(api, resource, 7)
            first = project.sim.expected_rows(api, resource)[0][key_field]  # on a page this run has already passed
            project.sim.update_rows(api, resource, [first], {"edited_mid_run": True})
            return None
        return during_second_page

    for asset in GROWING:
        api, resource = asset.split("/")
        key_field = "jobId" if api == "datasync" else "id"
        project.sim.hooks.append(Fault(grow_and_edit(api, resource, key_field), api=api, resource=resource, nth={2}))

    assert project.materialize(*GROWING).success
    project.sim.hooks.clear()
    assert project.materialize(*GROWING).success

    for asset in GROWING:
        api, table = asset.split("/")
        key_field, column = ("jobId", "job_id") if api == "datasync" else ("id", "id")
        expected = sorted(str(row[key_field]) for row in project.sim.expected_rows(api, table))
        assert sorted(map(str, project.keys(api, table, column))) == expected, f"{asset}: nothing missing, nothing twice"
        assert set(map(str, added[asset])) <= set(expected)
        assert project.query(f"select count(*) from {api}.{table} where edited_mid_run")[0][0] == 1, f"{asset}: the edit landed"


# --- fields that change type or appear ------------------------------------------------------------


def test_a_field_that_changes_type_and_a_new_field_are_loaded_and_shown_in_the_metadata(make_project):
    project = make_project()
    assert project.materialize("agency/projects").success
    project.sim.hooks.append(Fault(alter(lambda body: {**body, "results": [
        {**record, "budget": "not yet agreed", "priority": "high"} for record in body["results"]]}), api="agency", resource="projects"))

    result = project.materialize("agency/projects")

    types = dict(project.query("select column_name, data_type from information_schema.columns "
                               "where table_schema = 'agency' and table_name = 'projects'"))
    assert types["budget"] == "DOUBLE" and types["budget__v_text"] == "VARCHAR" and types["priority"] == "VARCHAR"
    assert project.query("select count(*) from agency.projects where budget__v_text = 'not yet agreed'")[0][0] == 30
    columns = {c.name: c.type for c in project.metadata(result, "projects")["dagster/column_schema"].value.columns}
    assert columns["budget__v_text"] == "text" and columns["priority"] == "text", "the change is visible in the run's metadata"
    changes = project.metadata(result, "projects")["schema_changes"].value
    assert any("budget__v_text" in change for change in changes) and any("priority" in change for change in changes)


# --- a resource with nothing in it ----------------------------------------------------------------


def test_an_empty_resource_succeeds_with_0_rows(make_project):
    project = make_project(sizes={"workhub": {"tasks": 0}})
    result = project.materialize("workhub/tasks")
    assert project.metadata(result, "tasks")["dagster/row_count"].value == 0


def test_an_empty_incremental_page_keeps_the_rows_and_the_cursor(make_project):
    project = make_project()
    assert project.materialize("resourcing/logged_time").success
    before = project.query("select * from resourcing.logged_time order by id")
    project.sim.hooks.append(Fault(alter(lambda body: {**body, "data": []}), api="resourcing", resource="logged_time"))
    project.sim.clear_requests()

    result = project.materialize("resourcing/logged_time")

    metadata = project.metadata(result, "logged_time")
    assert metadata["rows_loaded"].value == 0 and metadata["dagster/row_count"].value == 30
    assert project.query("select * from resourcing.logged_time order by id") == before
    cursor = {r.query["modified_since"] for r in project.sim.requests}
    project.sim.hooks.clear()
    project.sim.clear_requests()
    assert project.materialize("resourcing/logged_time").success
    assert {r.query["modified_since"] for r in project.sim.requests} == cursor, "an empty run leaves the cursor where it was"


def test_schema_changes_names_the_new_column_and_the_variant_column_of_a_load(make_project, tmp_path):
    """The helper sync.py can add to the metadata (see docs/failure-handling.md), on a real dlt load."""
    project = make_project()
    api = next(api for api in load_apis() if api.name == "agency")
    connection = run_credentials(api)
    pipeline = dlt.pipeline(pipeline_name="schema_changes", pipelines_dir=str(tmp_path / "dlt"),
                            destination=dlt.destinations.duckdb(str(project.duckdb_path)), dataset_name="agency")

    first = pipeline.run(build_source(api, connection).with_resources("projects"), loader_file_format="jsonl")
    project.sim.hooks.append(Fault(alter(lambda body: {**body, "results": [
        {**record, "budget": "not yet agreed", "priority": "high"} for record in body["results"]]}), api="agency", resource="projects"))
    second = pipeline.run(build_source(api, connection).with_resources("projects"), loader_file_format="jsonl")
    third = pipeline.run(build_source(api, connection).with_resources("projects"), loader_file_format="jsonl")

    assert schema_changes(first, "projects") == [], "a new table is not a change"
    assert sorted(schema_changes(second, "projects")) == [
        "budget__v_text (text): values of budget changed type",
        "priority (text): new field",
    ]
    assert schema_changes(third, "projects") == []
