"""The whole graph of definitions, against a snapshot in review: any change to it shows up in the diff.

After an intended change: `REST_ASSETS_UPDATE_SNAPSHOT=1 .venv/bin/pytest rest_assets_tests/test_definitions_snapshot.py`
rewrites snapshots/definitions.json; commit it with the change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from dagster import Definitions

from rest_assets_tests.conftest import clean_env

SNAPSHOT = Path(__file__).with_name("snapshots") / "definitions.json"


def describe(defs: Definitions) -> dict:
    graph = defs.resolve_asset_graph()
    repository = defs.get_repository_def()
    return {
        "assets": {
            key.to_user_string(): {
                "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
                "group": node.group_name,
                "kinds": sorted(node.kinds),
                "checks": sorted(check.name for check in node.check_keys),
                "pools": sorted(node.pools),
                "tags": {k: v for k, v in sorted(node.tags.items()) if not k.startswith("dagster/kind/")},
                "owners": list(node.owners),
                "automation": node.automation_condition.get_label() if node.automation_condition else None,
                "freshness_cron": node.freshness_policy.deadline_cron if node.freshness_policy else None,
            }
            for key, node in sorted(((node.key, node) for node in graph.asset_nodes), key=lambda kn: kn[0].to_user_string())
        },
        "jobs": sorted(job.name for job in defs.resolve_all_job_defs()),
        "schedules": {
            schedule.name: {"cron": schedule.cron_schedule, "job": schedule.job_name,
                            "timezone": schedule.execution_timezone, "default_status": schedule.default_status.value}
            for schedule in sorted(repository.schedule_defs, key=lambda s: s.name)
        },
        "sensors": {sensor.name: sensor.default_status.value for sensor in sorted(repository.sensor_defs, key=lambda s: s.name)},
        "resources": sorted(defs.resources),
    }


def test_the_definitions_match_their_snapshot(monkeypatch):
    update = os.environ.get("REST_ASSETS_UPDATE_SNAPSHOT")
    for name in list(os.environ):
        if name not in clean_env():
            monkeypatch.delenv(name)  # the definitions as a fresh checkout builds them
    from rest_assets.orchestration.loading import all_definitions

    current = json.dumps(describe(all_definitions()), indent=1, sort_keys=True) + "\n"
    if update:
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(current)
    assert current == SNAPSHOT.read_text(), (
        "the definitions changed; if intended, rerun with REST_ASSETS_UPDATE_SNAPSHOT=1 and commit the snapshot"
    )


def test_the_benchmarks_project_without_syncs_keeps_the_projects_shape():
    """bench/without_syncs.py times Dagster's cost for the project's assets, checks and steps: it must keep them."""
    from bench.without_syncs import defs as without_syncs
    from rest_assets.orchestration.loading import all_definitions

    def shape(defs: Definitions) -> dict:
        graph = defs.resolve_asset_graph()
        return {
            "steps": sorted(assets.node_def.name for assets in defs.assets),
            "assets": {node.key.to_user_string(): sorted(parent.to_user_string() for parent in node.parent_keys)
                       for node in graph.asset_nodes},
            "checks": {(key.asset_key.to_user_string(), key.name, graph.get_check_spec(key).blocking)
                       for key in graph.asset_check_keys},
            "executor": defs.executor.name,
        }

    project = shape(all_definitions())
    assert len(project["checks"]) == 43
    assert shape(without_syncs) == project


def test_the_benchmarks_plain_dagster_shape_keeps_the_projects_counts():
    """bench/plain_shape.py is what the many-APIs pass measures each added API against: the same assets, checks,
    jobs, schedules, sensors and resources, in plain Dagster; its copies keep the counts per API."""
    from bench.plain_shape import api_shapes, plain_assets, plain_definitions
    from rest_assets.orchestration.loading import all_definitions

    def counts(defs: Definitions) -> dict:
        graph, repository = defs.resolve_asset_graph(), defs.get_repository_def()
        return {
            "assets": {node.key.to_user_string(): sorted(parent.to_user_string() for parent in node.parent_keys)
                       for node in graph.asset_nodes},
            "blocking checks": sorted(key.asset_key.to_user_string() for key in graph.asset_check_keys
                                      if graph.get_check_spec(key).blocking),
            "freshness": {node.key.to_user_string(): node.freshness_policy.deadline_cron for node in graph.asset_nodes},
            "jobs": sorted(job.name for job in repository.get_all_jobs()),
            "schedules": sorted(schedule.name for schedule in repository.schedule_defs),
            "sensors": sorted(sensor.name for sensor in repository.sensor_defs),
            "resources": sorted(defs.resources),
        }

    project = all_definitions()
    shapes = api_shapes(project)
    assert counts(plain_definitions(shapes)) == counts(project)
    assert len(counts(plain_definitions(shapes, copies=3))["assets"]) == 3 * 43
    assert len(counts(plain_definitions(shapes, copies=3))["jobs"]) == 3 * 6 + 1  # and Dagster's own asset job
    assert len(plain_assets(shapes, copies=3).resolve_asset_graph().get_all_asset_keys()) == 3 * 43


def test_the_benchmarks_copies_of_the_apis_load_under_their_own_names(tmp_path, monkeypatch):
    """The many-APIs pass grows the location with copies of the five defs.yaml: each its own API, with its own env vars."""
    from bench.many_apis import write_copies
    from rest_assets.orchestration.loading import all_definitions

    write_copies(10, tmp_path)
    monkeypatch.setenv("REST_ASSETS_API_PATH", str(tmp_path))
    defs = all_definitions()
    assert len(defs.resolve_asset_graph().get_all_asset_keys()) == 2 * 43
    assert defs.resources["agency_1_api"].secrets == {"AGENCY_1_API_TOKEN": "AGENCY_1_API_TOKEN"}
    assert defs.get_repository_def().get_schedule_def("resourcing_1_logged_time_schedule").cron_schedule == "*/15 * * * *"


def test_each_job_carries_only_the_resources_its_assets_need():
    """Dagster would bind every resource of the location to every asset job it resolves, and each job's snapshot
    would carry every API's credentials: quadratic in the APIs. The location still lists them all (the UI's
    Resources page), and the job Dagster makes of any selection of assets gets what it selects."""
    from rest_assets.orchestration.loading import all_definitions

    defs = all_definitions()
    repository = defs.get_repository_def()
    assert set(repository.get_job("agency_job").resource_defs) == {"agency_api", "warehouse", "io_manager"}
    assert set(repository.get_job("resourcing_logged_time_job").resource_defs) == {"resourcing_api", "warehouse",
                                                                                   "io_manager"}
    assert {"agency_api", "datasync_api", "warehouse"} <= set(repository.get_job("__ASSET_JOB").resource_defs)
    assert repository.get_job("agency_job").executor_def.name == defs.executor.name, "the location's executor"
    assert len(repository.get_top_level_resources()) == 6
