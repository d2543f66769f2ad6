"""taskrouter/workers is a child of taskrouter/workspaces, in the asset graph and in the data."""

from __future__ import annotations

from dagster import AssetKey

WORKSPACES, WORKERS = AssetKey(["taskrouter", "workspaces"]), AssetKey(["taskrouter", "workers"])


def test_workers_depend_on_workspaces_in_the_asset_graph(project):
    graph = project.definitions().resolve_asset_graph()
    assert graph.get(WORKERS).parent_keys == {WORKSPACES}
    assert graph.get(WORKSPACES).parent_keys == set()


def test_every_worker_belongs_to_a_loaded_workspace(make_project):
    project = make_project(sizes={"taskrouter": {"workspaces": 7, "workers": 60}})
    assert project.materialize("taskrouter").success
    assert project.count("taskrouter", "workspaces") == 7
    assert project.count("taskrouter", "workers") == 7 * 60
    orphans = project.query(
        "select count(*) from taskrouter.workers w "
        "left join taskrouter.workspaces s on w.workspace_sid = s.sid where s.sid is null"
    )
    assert orphans == [(0,)]
    # Each workspace's workers were fetched from its own path, 50 a page.
    worker_paths = {r.path for r in project.sim.requests if r.path.endswith("/Workers")}
    assert len(worker_paths) == 7


def test_materializing_the_child_alone_does_not_reload_the_parent(make_project):
    project = make_project(sizes={"taskrouter": {"workspaces": 3, "workers": 4}})
    assert project.materialize("taskrouter/workspaces").success
    parent_loads = project.query("select distinct _dlt_load_id from taskrouter.workspaces")

    assert project.materialize("taskrouter/workers").success
    assert project.count("taskrouter", "workers") == 12
    assert project.query("select distinct _dlt_load_id from taskrouter.workspaces") == parent_loads
