"""`python -m bench.stock_dlt --duckdb FILE --workdir DIR --progress FILE`: stock dlt, no Dagster.

For each of the five API configurations, one after the other in this process:
`dlt.pipeline(destination=duckdb)` and dlt's `run` steps (sync_destination, extract,
normalize, load) on `build_source(api, connection)` with every dlt default, so the
loader file format is dlt's default (`insert_values` for DuckDB). After each step
the progress file is rewritten, so a run cut off by the benchmark's time box still
says how far it got.
"""

from __future__ import annotations

import argparse
import json
import time

import dlt

from rest_assets.engine.source import build_source
from rest_assets.orchestration.resources import ApiCredentials
from rest_assets.orchestration.loading import load_apis


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stock_dlt")
    parser.add_argument("--duckdb", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--progress", required=True)
    args = parser.parse_args()

    progress: dict = {"apis": {}}

    def save() -> None:
        with open(args.progress, "w") as f:
            json.dump(progress, f, indent=1)

    for api in load_apis():
        steps: dict = {}
        progress["apis"][api.name] = steps
        pipeline = dlt.pipeline(
            pipeline_name=f"stock_{api.name}",
            pipelines_dir=args.workdir,
            destination=dlt.destinations.duckdb(credentials=args.duckdb),
            dataset_name=api.name,
        )
        source = build_source(api, ApiCredentials.of(api).process_config_and_initialize().credentials())
        # pipeline.run(source), one step at a time so the time of each is known.
        for step, call in (
            ("sync_destination", pipeline.sync_destination),
            ("extract", lambda: pipeline.extract(source)),
            ("normalize", pipeline.normalize),
            ("load", pipeline.load),
        ):
            steps["running"] = step
            save()
            started = time.monotonic()
            info = call()
            steps[step] = round(time.monotonic() - started, 3)
            if step == "load":
                info.raise_on_failed_jobs()
        del steps["running"]
        steps["done"] = True
        save()


if __name__ == "__main__":
    main()
