"""One sync of all five APIs, as engine/sync.py does it, with knobs. Prints JSON timings."""
import argparse, json, threading, time, shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import dlt
from rest_assets.apis import load_apis
from rest_assets.engine.source import build_source
from rest_assets.engine.warehouse import Warehouse
from bench.stock_dlt import resolved

p = argparse.ArgumentParser()
p.add_argument("--duckdb", required=True); p.add_argument("--workdir", required=True); p.add_argument("--out", required=True)
p.add_argument("--fmt", default="jsonl")
p.add_argument("--mode", default="sequential", choices=["sequential", "threads"])
p.add_argument("--normalize-workers", type=int, default=1)
p.add_argument("--parallelized", action="store_true")
p.add_argument("--no-progress", action="store_true")
p.add_argument("--apis", default="")
a = p.parse_args()

wh = Warehouse(duckdb_path=a.duckdb, data_dir=a.workdir)
lock = threading.Lock()
times = {}

def one(api):
    t = {}
    t0 = time.monotonic()
    working_dir = Path(a.workdir) / "dlt" / api.name
    pipeline = dlt.pipeline(pipeline_name=api.name, pipelines_dir=str(working_dir),
        destination=dlt.destinations.duckdb(credentials=str(wh.path)), dataset_name=api.name,
        progress=None if a.no_progress else dlt.progress.log(dump_system_stats=False))
    with lock, wh.writing(pipeline):
        pipeline.sync_destination()
    t["sync_destination"] = time.monotonic() - t0; t0 = time.monotonic()
    if a.parallelized:
        import dataclasses
        api = dataclasses.replace(api, resources=[{**r, "parallelized": True} for r in api.resources])
    source = build_source(api, resolved(api.connection))
    pipeline.extract(source, loader_file_format=a.fmt)
    t["extract"] = time.monotonic() - t0; t0 = time.monotonic()
    import resource
    t["rss_after_extract"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pipeline.normalize(workers=a.normalize_workers)
    t["normalize"] = time.monotonic() - t0; t0 = time.monotonic()
    t["rss_after_normalize"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with lock, wh.writing(pipeline):
        pipeline.load().raise_on_failed_jobs()
    t["load"] = time.monotonic() - t0
    import resource
    t["maxrss_mb_after"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times[api.name] = {k: round(v, 3) for k, v in t.items()}
    shutil.rmtree(working_dir, ignore_errors=True)

apis = [x for x in load_apis() if not a.apis or x.name in a.apis.split(",")]
t0 = time.monotonic()
if a.mode == "sequential":
    for api in apis: one(api)
else:
    with ThreadPoolExecutor(len(apis)) as ex:
        list(ex.map(one, apis))
times["total"] = round(time.monotonic() - t0, 3)
json.dump(times, open(a.out, "w"), indent=1)
