"""`python3 dev.py bench distributed`: the 1M-row and the 50 ms latency passes on Celery workers, beside one machine.

In one invocation, per pass, four contenders sync all 43 assets through `dagster asset materialize`:

- `one_machine_duckdb`: the project's default (DuckDB, SQLite instance, one forked process per API step);
- `one_machine_postgres`: the same executor, into PostgreSQL with Dagster's instance on PostgreSQL
  (deploy/dagster.yaml): the warehouse the workers use, so that the Celery rows differ in the executor only;
- `celery_1_worker`, `celery_2_workers`: REST_ASSETS_EXECUTOR=celery with 1 or 2 workers (processes with
  folders of their own) whose pool slots add up to the five API steps (5; 3 + 3), so that every API syncs at
  once, as on one machine. The CLI orchestrates; the workers sync.

CPU: the CLI's process tree (bench/measure.py), plus the workers' (their processes and the step processes they
reaped, read from /proc around the run), plus PostgreSQL's server processes. All run on this machine's cores:
two workers here share the same two cores, so the rows measure what distribution costs, not what more machines
would gain.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import psycopg2
from dagster import DagsterInstance

from bench.run import (
    DAGSTER, PYTHON, ROOT, SimProcess, _aligned, base_env, check_counts, dagster_step_times, duckdb_counts, git,
    machine, machine_busy_seconds, measured, portable, run_floor,
)
from bench.scale import expected_counts, sizes_for
from rest_assets.orchestration.loading import load_apis
from rest_assets_tests.postgres import SERVER, throwaway_database
from rest_assets_tests.celery_profile import rabbitmq_vhost, require_services, step_workers

CELERY = str(Path(PYTHON).with_name("celery"))
CONTENDERS = ("one_machine_duckdb", "one_machine_postgres", "celery_1_worker", "celery_2_workers")
WORKERS = {"celery_1_worker": 1, "celery_2_workers": 2}
API_STEPS = 5
CLK_TCK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds of a process and of the children it has reaped."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / CLK_TCK  # utime, stime, cutime, cstime


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process tree: each live process's own and what it reaped."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += process_cpu(current)
            with open(f"/proc/{current}/task/{current}/children") as f:
                todo.extend(int(child) for child in f.read().split())
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL server process, the ended backends included (the postmaster reaped them)."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() == "postgres":
                    total += process_cpu(int(pid))
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def postgres_counts(database: str) -> dict[str, int]:
    """`api/resource` -> rows, for every table that exists (as bench.run.duckdb_counts)."""
    counts = {}
    with psycopg2.connect(dbname=database, **SERVER) as connection, connection.cursor() as cursor:
        cursor.execute("select table_schema, table_name from information_schema.tables")
        existing = set(cursor.fetchall())
        for api in load_apis():
            for resource in api.resource_names:
                if (api.name, api.table_name(resource)) in existing:
                    cursor.execute(f'select count(*) from "{api.name}"."{api.table_name(resource)}"')
                    counts[f"{api.name}/{resource}"] = cursor.fetchone()[0]
    return counts


@contextmanager
def postgres_profile(work: Path) -> Iterator[dict[str, str]]:
    """Fresh databases for the warehouse and Dagster's instance (deploy/dagster.yaml): their settings."""
    with throwaway_database("bench_warehouse") as warehouse, throwaway_database("bench_dagster") as dagster_db:
        home = work / "dagster_home"
        home.mkdir(parents=True)
        (home / "dagster.yaml").write_text((ROOT / "deploy" / "dagster.yaml").read_text())
        yield {"DAGSTER_HOME": str(home), "REST_ASSETS_DESTINATION": "postgres", "BENCH_WAREHOUSE": warehouse,
               "DESTINATION__POSTGRES__CREDENTIALS": f"postgresql://{SERVER['user']}:unused@{SERVER['host']}:"
                                                     f"{SERVER['port']}/{warehouse}",
               "DAGSTER_PG_HOST": SERVER["host"], "DAGSTER_PG_PORT": str(SERVER["port"]),
               "DAGSTER_PG_USERNAME": SERVER["user"], "DAGSTER_PG_PASSWORD": "", "DAGSTER_PG_DB": dagster_db}


@contextmanager
def celery_workers(count: int, env: dict[str, str], work: Path) -> Iterator[list[subprocess.Popen]]:
    """`count` workers, each with its own folders, whose slots add up to the API steps; stopped afterwards."""
    slots = -(-API_STEPS // count)
    workers = []
    try:
        for n in range(1, count + 1):
            home = work / f"worker{n}"
            (home / "data").mkdir(parents=True)
            log = open(home / "worker.log", "w")
            workers.append(subprocess.Popen(
                [CELERY, "-A", "rest_assets.orchestration.celery_worker", "worker", "-n", f"bench{n}@%h",
                 "--concurrency", str(slots), "--without-mingle", "--without-gossip", "--loglevel", "INFO"],
                cwd=ROOT, env={**env, "REST_ASSETS_DATA_DIR": str(home / "data"), "HOME": str(home)},
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + 300
        for n, worker in enumerate(workers, start=1):
            while "ready." not in (work / f"worker{n}" / "worker.log").read_text(errors="replace"):
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"celery worker {n} did not start; see {work / f'worker{n}' / 'worker.log'}")
                time.sleep(0.2)
        yield workers
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, 9)
                worker.wait()


def steps_by_worker(home: Path) -> dict[str, list[str]]:
    """The latest run's steps, by the Celery worker that ran them."""
    with DagsterInstance.from_config(str(home)) as instance:
        run = instance.get_runs(limit=1)[0]
        found: dict[str, list[str]] = {}
        for step, worker, _ in step_workers(instance, run.run_id):
            found.setdefault(worker, []).append(step)
        return found


def run_contender(contender: str, sim: SimProcess, work: Path, broker: str, args) -> dict:
    env = {**base_env(sim), "REST_ASSETS_DATA_DIR": str(work / "data")}
    with ExitStack() as stack:
        if contender == "one_machine_duckdb":
            env.update(DAGSTER_HOME=str(work / "dagster_home"), REST_ASSETS_DUCKDB_PATH=str(work / "cli.duckdb"))
            (work / "dagster_home").mkdir()
            subprocess.run([DAGSTER, "instance", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
        else:
            env.update(stack.enter_context(postgres_profile(work)))
        workers = []
        if contender in WORKERS:
            env.update(REST_ASSETS_EXECUTOR="celery", REST_ASSETS_CELERY_BROKER=broker)
            workers = stack.enter_context(celery_workers(WORKERS[contender], env, work))
        os.environ.update({k: v for k, v in env.items() if k.startswith("DAGSTER_PG_")})  # to read the event log
        workers_cpu, pg_cpu, busy = sum(tree_cpu(w.pid) for w in workers), postgres_cpu(), machine_busy_seconds()
        sim_cpu, started = sim.cpu_seconds(), time.time()
        result = measured([DAGSTER, "asset", "materialize", "-m", "rest_assets.definitions", "--select", "*"], work,
                          env, args.cli_timeout)
        result["workers_cpu_s"] = round(sum(tree_cpu(w.pid) for w in workers) - workers_cpu, 2)
        result["postgres_cpu_s"] = round(postgres_cpu() - pg_cpu, 2)
        result["machine_cpu_s"] = round(machine_busy_seconds() - busy, 2)
        result["sim_cpu_s"] = round(sim.cpu_seconds() - sim_cpu, 2)
        result["rows"] = (duckdb_counts(work / "cli.duckdb") if contender == "one_machine_duckdb"
                          else postgres_counts(env["BENCH_WAREHOUSE"]))
        try:
            result["details"] = dagster_step_times(Path(env["DAGSTER_HOME"]), started)
        except Exception as error:  # the timings are a bonus
            result["details"] = {"error": repr(error)}
        if workers:
            result["steps_by_worker"] = steps_by_worker(Path(env["DAGSTER_HOME"]))
    result["cli_cpu_s"] = round(result["cpu_user_s"] + result["cpu_system_s"], 2)
    result["cpu_s"] = round(result["cli_cpu_s"] + result["workers_cpu_s"], 2)
    result["other_cpu_s"] = round(max(0.0, result["machine_cpu_s"] - result["cpu_s"] - result["postgres_cpu_s"]
                                      - result["sim_cpu_s"]), 1)
    return result


def run_pass(name: str, scale: int, latency: float, args, workroot: Path, broker: str) -> dict:
    sizes = sizes_for(scale)
    expected = expected_counts(sizes)
    pass_dir = workroot / name
    pass_dir.mkdir(parents=True)
    summary = {"name": name, "scale": scale, "latency_s": latency, "expected_rows": sum(expected.values()),
               "results": []}
    print(f"\n== pass {name}: {summary['expected_rows']:,} rows, latency {latency * 1000:.0f} ms", flush=True)
    sim = SimProcess(sizes, latency, latency == 0, pass_dir / "simulator.log")
    try:
        if latency == 0:  # the simulator answers from pages it keeps, after one read of them all
            (pass_dir / "warmup").mkdir()
            run_floor(sim, pass_dir / "warmup", args)
        for contender in [c for c in CONTENDERS if c not in args.skip]:
            work = pass_dir / contender
            work.mkdir()
            print(f"   {contender} ...", end=" ", flush=True)
            result = run_contender(contender, sim, work, broker, args)
            problems = check_counts(result["rows"], expected)
            result.update(contender=contender, command=portable(result["command"], workroot),
                          workers=WORKERS.get(contender, 0), rows_loaded=sum(result["rows"].values()),
                          status="timeout" if result["timed_out"] else f"failed ({result['returncode']})"
                          if result["returncode"] else "WRONG ROWS" if problems else "ok", row_problems=problems[:20])
            summary["results"].append(result)
            print(f"{result['wall_s']:.1f} s, {result['status']}", flush=True)
    finally:
        sim.stop()
    return summary


def table(passes: list[dict]) -> str:
    head = ("pass", "contender", "workers", "steps a worker", "rows", "wall s", "x one machine", "CLI CPU s", "workers CPU s",
            "CPU s", "postgres CPU s", "other CPU s", "status")
    lines = []
    for p in passes:
        one_machine = next((r["wall_s"] for r in p["results"] if r["contender"] == "one_machine_duckdb"), None)
        for r in p["results"]:
            spread = sorted((len(steps) for steps in r.get("steps_by_worker", {}).values()), reverse=True)
            lines.append((p["name"], r["contender"], str(r["workers"] or "-"), "+".join(map(str, spread)) or "-",
                          f"{r['rows_loaded']:,}",
                          f"{r['wall_s']:.1f}", f"{r['wall_s'] / one_machine:.2f}" if one_machine else "-",
                          f"{r['cli_cpu_s']:.1f}", f"{r['workers_cpu_s']:.1f}", f"{r['cpu_s']:.1f}",
                          f"{r['postgres_cpu_s']:.1f}", f"{r['other_cpu_s']:.1f}", r["status"]))
    return _aligned(head, lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench distributed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20k rows and a 5k-row latency pass")
    parser.add_argument("--scale", type=int, default=None, help="rows of the CPU pass (default 1,000,000)")
    parser.add_argument("--latency-scale", type=int, default=None, help="rows of the latency pass (default 80,000)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request in the latency pass")
    parser.add_argument("--skip", action="append", default=[], choices=[*CONTENDERS, "cpu", "latency"])
    parser.add_argument("--cli-timeout", type=float, default=3600)
    parser.add_argument("--floor-timeout", type=float, default=3600)
    parser.add_argument("--out", default=None, help="JSON results (default bench/results/distributed-<date>.json)")
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args(argv)
    args.scale = args.scale or (20_000 if args.quick else 1_000_000)
    args.latency_scale = args.latency_scale or (5_000 if args.quick else 80_000)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    require_services()
    started = datetime.now(timezone.utc)
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"distributed-{started:%Y%m%d-%H%M%S}.json"
    report = {"benchmark": "rest_assets distributed", "started": started.isoformat(timespec="seconds"), "git": git(),
              "machine": machine(), "load_average_at_start": os.getloadavg(), "args": vars(args), "passes": []}
    with tempfile.TemporaryDirectory(prefix="rest_assets_bench_distributed-", dir=args.workdir) as workdir, \
            rabbitmq_vhost(f"rest-assets-bench-{uuid.uuid4().hex[:8]}") as (vhost, password):
        broker = f"pyamqp://{vhost}:{password}@127.0.0.1:5672/{vhost}"
        for name, scale, latency in (("cpu", args.scale, 0.0), ("latency", args.latency_scale, args.latency)):
            if name not in args.skip:
                report["passes"].append(run_pass(name, scale, latency, args, Path(workdir), broker))
                report["load_average_at_end"] = os.getloadavg()
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(json.dumps(report, indent=1, default=str))
    print()
    print(table(report["passes"]))
    print(f"\nload average at start {report['load_average_at_start']}, at end {report['load_average_at_end']}")
    print(f"results: {out}")
