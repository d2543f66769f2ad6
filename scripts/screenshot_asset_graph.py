"""Screenshot the Dagster UI into docs/ (headless Chromium): the asset graph, a lineage, the catalog,
an asset's page and a restatement in the Launchpad.

    .venv/bin/python scripts/screenshot_asset_graph.py

Needs Debian's chromium (`apt-get install chromium`). Materializes all assets from the
simulator's demo dataset (what `dev.py demo` loads) into a throwaway instance first, then serves
the UI as the README does, with `dg dev` in the project (its code location is `rest_assets`), so
the pages show what a newcomer sees after the demo.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

from rest_assets_sim import Simulator
from rest_assets_sim.demo_dataset import DEMO_ROWS, demo_sizes

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RESTATEMENT = "ops:\n  agency_sync:\n    config:\n      full_refresh: true\n      allow_mass_deletion: false\n"
LOCATION = "rest_assets"  # pyproject.toml's [tool.dg.project] code_location_name
PAGES = {  # UI path -> file
    "/asset-groups": "asset-graph.png",
    f"/locations/{LOCATION}/asset-groups/taskrouter/lineage": "taskrouter-lineage.png",
    "/assets?view=flat": "asset-catalog.png",
    "/assets/taskrouter/workers": "asset-workers.png",
    f"/locations/{LOCATION}/jobs/agency_job/playground/setup?{urlencode({'config': RESTATEMENT})}":
        "launchpad-restatement.png",
}
BIN = Path(sys.executable).parent
CHROMIUM_FLAGS = [  # what works headless as root on a machine without outbound network
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    sys.exit(f"{url} did not answer within {seconds} s")


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()

    with tempfile.TemporaryDirectory() as tmp, Simulator(sizes=demo_sizes(), default_rows=DEMO_ROWS) as sim:
        env = {**os.environ, **sim.env(), "DAGSTER_HOME": tmp,
               "REST_ASSETS_DUCKDB_PATH": f"{tmp}/rest_assets.duckdb", "REST_ASSETS_DATA_DIR": tmp}
        subprocess.run([BIN / "dagster", "asset", "materialize", "-m", "rest_assets.definitions", "--select", "*"],
                       env=env, cwd=ROOT, check=True, capture_output=True)
        port = free_port()
        # `dg dev` in its own process group: it, its webserver, daemon and code servers are stopped together.
        server = subprocess.Popen([BIN / "dg", "dev", "-h", "127.0.0.1", "-p", str(port)], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(f"{url}/server_info")
            # The "join the community" prompt would cover the graph; dismiss it as the UI's Skip does.
            requests.post(f"{url}/graphql", json={"query": "mutation { setNuxSeen }"}, timeout=30).raise_for_status()
            for page, name in PAGES.items():
                screenshot(f"{url}{page}", DOCS / name, f"{tmp}/chromium")
        finally:
            stop(server)


def stop(server: subprocess.Popen) -> None:
    """`dg dev` does not always exit on SIGTERM within half a minute: SIGKILL its group after that."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)
            server.wait(timeout=30)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def screenshot(url: str, out: Path, profile: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1600,1000",
                    "--virtual-time-budget=20000", f"--screenshot={out}", url],
                   check=True, capture_output=True, timeout=180)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
