"""The quick-start demo: all 43 assets from the simulator into DuckDB, through Dagster's CLI.

Runs `dagster asset materialize -m rest_assets.definitions --select '*'` exactly as a
user would, with the project's env vars pointing at a local simulator, then prints
every table's row count.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from rest_assets.orchestration.loading import load_apis
from rest_assets_sim import Simulator
from rest_assets_sim.demo_dataset import DEMO_ROWS, demo_sizes

DATA_DIR = Path("data")


def materialize_everything(env: dict[str, str], log_path: Path) -> None:
    dagster = str(Path(sys.executable).with_name("dagster"))
    command = [dagster, "asset", "materialize", "-m", "rest_assets.definitions", "--select", "*"]
    print(f"$ {' '.join(command[1:])}   (log: {log_path})", flush=True)
    with open(log_path, "w") as log:
        finished = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    if finished.returncode != 0:
        sys.exit(f"materialization failed; the last lines of {log_path}:\n" + "".join(open(log_path).readlines()[-30:]))


def print_row_counts(duckdb_path: Path) -> int:
    total = 0
    with duckdb.connect(str(duckdb_path), read_only=True) as db:
        for api in load_apis():
            print(f"\n{api.name}")
            for resource in api.resource_names:
                table = api.table_name(resource)
                count = db.sql(f"select count(*) from {api.name}.{table}").fetchall()[0][0]
                total += count
                print(f"  {table:<26}{count:>8}")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=DEMO_ROWS,
                        help=f"records per resource (default {DEMO_ROWS}); `dev.py sim --rows` must match")
    args = parser.parse_args()

    DATA_DIR.mkdir(exist_ok=True)
    duckdb_path = DATA_DIR / "rest_assets.duckdb"
    dagster_home = Path("dagster_home").resolve()  # the project's local instance: `dg dev` shows these runs
    started = time.monotonic()
    with Simulator(sizes=demo_sizes(args.rows), default_rows=args.rows) as sim:
        print(f"simulator of the five APIs on {sim.root_url}", flush=True)
        env = {
            **os.environ,
            **sim.env(),
            "REST_ASSETS_DUCKDB_PATH": str(duckdb_path),
            "DAGSTER_HOME": str(dagster_home),
        }
        materialize_everything(env, DATA_DIR / "demo.log")
    total = print_row_counts(duckdb_path)
    print(f"\n{total} rows in 43 tables of {duckdb_path} in {time.monotonic() - started:.1f} s")
    same_rows = "" if args.rows == DEMO_ROWS else f" --rows {args.rows}"
    print(f"\nThe UI (README, \"The UI\"): `python3 dev.py sim{same_rows}` serves the same rows; paste its exports "
          "into another shell, then `export DAGSTER_HOME=$PWD/dagster_home` and `dg dev`.")


if __name__ == "__main__":
    main()
