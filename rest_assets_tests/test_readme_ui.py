"""The README's UI path, as a newcomer follows it: `dev.py demo`, `dev.py sim`, `dg dev` with
the project's instance, then what the UI launches, through the webserver's GraphQL API.

A temporary folder stands for the checkout's root, where the README's commands run: the demo
writes `data/` and the runs of `dagster_home/` there, with the project's own dagster.yaml; `dg dev`
finds the project there by its pyproject.toml and its package.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rest_assets.orchestration.loading import load_apis
from rest_assets_tests.conftest import REPO_ROOT, clean_env, free_port, start_service, stop_service
from rest_assets_tests.ui import FINISHED, Ui

PYTHON = sys.executable
DG = str(Path(PYTHON).with_name("dg"))
LOCATION = "rest_assets"  # pyproject.toml's [tool.dg.project] code_location_name, as `dg dev` names it
ROWS = 40  # `dev.py demo --rows 40`, then `dev.py sim --rows 40`, as the README says to pair them

LATEST = """{ assetNodes { assetKey { path } assetMaterializations(limit: 1) { runId
  metadataEntries { label ... on IntMetadataEntry { intValue } } } } }"""


def exports(process: subprocess.Popen) -> dict[str, str]:
    """The `export NAME=value` lines `dev.py sim` prints before it serves."""
    found = {}
    for line in process.stdout:
        if line.startswith("# serving on"):
            return found
        name, _, value = line.removeprefix("export ").strip().partition("=")
        found[name] = value
    raise AssertionError(f"the simulator stopped before serving: {found}")


@pytest.fixture(scope="module")
def readme_ui(tmp_path_factory):
    root = tmp_path_factory.mktemp("checkout")
    (root / "dagster_home").mkdir()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", root / "dagster_home")
    shutil.copy(REPO_ROOT / "pyproject.toml", root)
    (root / "rest_assets").symlink_to(REPO_ROOT / "rest_assets")
    env = clean_env()

    demo = subprocess.run([PYTHON, "-m", "rest_assets_sim.demo", "--rows", str(ROWS)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=900)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert f"dev.py sim --rows {ROWS}" in demo.stdout, "the demo says how to serve the same rows"

    sim = start_service([PYTHON, "-m", "rest_assets_sim", "--port", "0", "--rows", str(ROWS)], cwd=root, env=env,
                        stdout=subprocess.PIPE, text=True)
    log = root / "dg-dev.log"
    dev = None
    try:
        dev_env = {**env, **exports(sim), "DAGSTER_HOME": str(root / "dagster_home")}
        port = free_port()
        with open(log, "w") as log_file:
            dev = start_service([DG, "dev", "-h", "127.0.0.1", "-p", str(port)],
                                cwd=root, env=dev_env, stdout=log_file, stderr=subprocess.STDOUT)
        ui = Ui(f"http://127.0.0.1:{port}", log, LOCATION)
        ui.wait_until_serving(dev)
        yield ui
    finally:
        if dev is not None:
            stop_service(dev)
        stop_service(sim)


def test_materializing_everything_from_the_ui_after_the_demo_deletes_nothing(readme_ui):
    keys = [[api.name, api.table_name(name)] for api in load_apis() for name in api.resource_names]
    demo_rows = {"/".join(n["assetKey"]["path"]): rows(n) for n in readme_ui(LATEST)["assetNodes"]}

    run_id = readme_ui.launch(keys, checks=True)  # "Materialize all", with the assets' checks
    readme_ui.wait(run_id)

    latest = {"/".join(n["assetKey"]["path"]): n for n in readme_ui(LATEST)["assetNodes"]}
    assert len(latest) == len(keys) == 43
    assert {key for key, node in latest.items() if node["assetMaterializations"][0]["runId"] != run_id} == set()
    deleted = {key: metadata(node)["rows_deleted"] for key, node in latest.items()}
    assert set(deleted.values()) == {0}, {key: n for key, n in deleted.items() if n}
    assert {key: rows(node) for key, node in latest.items()} == demo_rows, "the same rows, all current"
    assert demo_rows["agency/clients"] == ROWS and demo_rows["taskrouter/workers"] == 20 * (ROWS // 4)
    assert "SupersessionWarning" not in readme_ui.log.read_text(), "the README's command is the current one"


def test_a_ui_run_of_an_api_waits_in_the_queue_until_the_run_holding_that_api_ends(readme_ui):
    """A selection across two APIs, then one asset of the smaller one: the second run waits queued for the
    whole first run, which holds both APIs until it ends (not only until its agency step is done)."""
    resourcing = next(api for api in load_apis() if api.name == "resourcing")
    both = [["agency", "clients"], *[["resourcing", resourcing.table_name(name)] for name in resourcing.resource_names]]
    first = readme_ui.launch(both)
    second = readme_ui.launch([["agency", "clients"]])
    seen, deadline = set(), time.monotonic() + 900
    while not set(statuses := (readme_ui.run(first)["status"], readme_ui.run(second)["status"])) <= FINISHED:
        assert time.monotonic() < deadline, statuses
        seen.add(statuses)
        time.sleep(0.5)
    first_run, second_run = readme_ui.wait(first), readme_ui.wait(second)
    assert second_run["startTime"] >= first_run["endTime"], (first_run, second_run)
    assert ("STARTED", "QUEUED") in seen, f"the second waited in the queue, not inside a started run: {seen}"


def metadata(node: dict) -> dict:
    return {e["label"]: e.get("intValue") for e in node["assetMaterializations"][0]["metadataEntries"]}


def rows(node: dict) -> int:
    return metadata(node)["dagster/row_count"]
