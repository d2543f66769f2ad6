"""The benchmark's driver: passes, contenders, verification, the table and the JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bench.scale import expected_counts, expected_pages, sizes_for
from bench.simserver import STATS_PATH

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DAGSTER = str(Path(sys.executable).with_name("dagster"))
# Two plain readers: the floor is whichever is faster on this machine.
FLOORS = ("floor_stdlib", "floor_requests")
CONTENDERS = (*FLOORS, "stock_dlt", "rest_assets_cli")
# The rate-limit pass: the CLI reading the API's rate-limit headers alone, and paced to the limit as well.
RATE_LIMIT_CONTENDERS = ("rest_assets_cli", "rest_assets_cli_paced")
# The fixed-cost pass: Dagster's empty run (the floor), one small API, every asset's step and check
# with no sync in them (bench/without_syncs.py), and a rerun of every asset with nothing changed
# upstream, each through `dagster asset materialize`, alternated round by round.
FIXED_CONTENDERS = ("dagster_empty", "taskrouter_small", "all_without_syncs", "all_unchanged")
FIXED_SELECT = {"dagster_empty": ("bench.empty_asset", "*"), "taskrouter_small": ("rest_assets.definitions", "group:taskrouter"),
                "all_without_syncs": ("bench.without_syncs", "*"), "all_unchanged": ("rest_assets.definitions", "*")}
FIXED_SYNCING = {"taskrouter_small": "taskrouter/", "all_unchanged": ""}  # what each one lands: its tables' prefix
PROJECT_ENV_PREFIXES = ("TASKROUTER_", "AGENCY_", "RESOURCING_", "WORKHUB_", "DATASYNC_", "REST_ASSETS_", "DAGSTER_HOME")
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Pass:
    name: str
    scale: int
    latency_s: float
    contenders: list[str]
    rate_limit: int | None = None  # requests per second per API, enforced by the simulator
    sim_cache: bool = False  # the simulator answers from encoded pages it keeps, after a warm-up


# --- the simulator, in its own process ----------------------------------------------


def machine_busy_seconds() -> float:
    """CPU seconds spent by the whole machine (all cores, not idle or iowait) since boot."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / CLK_TCK


class SimProcess:
    def __init__(self, sizes: dict, latency_s: float, cache: bool, log: Path,
                 rate_limit: int | None = None, rate_limit_headers: str = "x-ratelimit") -> None:
        command = [PYTHON, "-m", "bench.simserver", "--sizes", json.dumps(sizes), "--latency", str(latency_s)]
        if cache:
            command.append("--cache")
        if rate_limit:
            command += ["--rate-limit", str(rate_limit), "--rate-limit-headers", rate_limit_headers]
        self._log = open(log, "w")
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=self._log, text=True)
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the simulator did not start; see {log}")
        info = json.loads(line)
        self.env, self.root_url, self.pid = info["env"], info["root_url"], info["pid"]

    def stats(self) -> dict:
        with urllib.request.urlopen(self.root_url + STATS_PATH, timeout=30) as response:
            return json.loads(response.read())

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


# --- contenders -----------------------------------------------------------------------


def base_env(sim: SimProcess) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROJECT_ENV_PREFIXES)}
    env.update(sim.env)
    env["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    env["PYTHONPATH"] = str(ROOT)
    return env


def measured(command: list[str], work: Path, env: dict, timeout: float | None) -> dict:
    """Run command under bench.measure; its measurements."""
    out = work / "measure.json"
    wrapper = [PYTHON, "-m", "bench.measure", "--out", str(out), "--log", str(work / "output.log")]
    if timeout:
        wrapper += ["--timeout", str(timeout)]
    subprocess.run([*wrapper, "--", *command], cwd=ROOT, env=env, check=True)
    return json.loads(out.read_text())


def duckdb_counts(path: Path) -> dict[str, int]:
    """`api/resource` -> rows, for every table that exists."""
    import duckdb

    from rest_assets.orchestration.loading import load_apis

    counts: dict[str, int] = {}
    if not path.exists():
        return counts
    with duckdb.connect(str(path), read_only=True) as db:
        existing = {(s, t) for s, t in db.sql("select table_schema, table_name from information_schema.tables").fetchall()}
        for api in load_apis():
            for resource in api.resource_names:
                table = api.table_name(resource)
                if (api.name, table) in existing:
                    counts[f"{api.name}/{resource}"] = db.sql(f'select count(*) from "{api.name}"."{table}"').fetchall()[0][0]
    return counts


def check_counts(got: dict[str, int], expected: dict[str, int]) -> list[str]:
    return [f"{key}: {got.get(key)} != {want}" for key, want in expected.items() if got.get(key) != want]


def run_floor(sim: SimProcess, work: Path, args, client: str = "stdlib") -> dict:
    out = work / "floor.json"
    command = [PYTHON, "-m", "bench.floor", "--client", client, "--out", str(out)]
    result = measured(command, work, base_env(sim), args.floor_timeout)
    if out.exists():
        floor = json.loads(out.read_text())
        result["rows"] = floor["rows"]
        result["details"] = {"seconds_per_api": floor["seconds_per_api"]}
    return result


# dlt's own defaults for what importing rest_assets.engine changes (it only sets unset variables).
STOCK_DLT_SETTINGS = {"DATA_WRITER__DISABLE_COMPRESSION": "false", "DATA_WRITER__BUFFER_MAX_ITEMS": "5000"}


def run_stock(sim: SimProcess, work: Path, args) -> dict:
    db, progress = work / "stock.duckdb", work / "progress.json"
    command = [PYTHON, "-m", "bench.stock_dlt", "--duckdb", str(db), "--workdir", str(work / "dlt"),
               "--progress", str(progress)]
    result = measured(command, work, {**base_env(sim), **STOCK_DLT_SETTINGS}, args.stock_timeout)
    result["rows"] = duckdb_counts(db)
    if progress.exists():
        result["details"] = json.loads(progress.read_text())
    return result


def run_cli(sim: SimProcess, work: Path, args, settings: dict[str, str] | None = None) -> dict:
    home = work / "dagster_home"
    home.mkdir()
    env = {**base_env(sim), "DAGSTER_HOME": str(home), "REST_ASSETS_DUCKDB_PATH": str(work / "cli.duckdb"),
           "REST_ASSETS_DATA_DIR": str(work / "data"), **(settings or {})}
    subprocess.run([DAGSTER, "instance", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.time()
    command = [DAGSTER, "asset", "materialize", "-m", "rest_assets.definitions", "--select", "*"]
    result = measured(command, work, env, args.cli_timeout)
    result["rows"] = duckdb_counts(work / "cli.duckdb")
    try:
        result["details"] = dagster_step_times(home, started)
    except Exception as error:  # the timings are a bonus; the measurement stands without them
        result["details"] = {"error": repr(error)}
    return result


# Dagster still names a run's start and end events after pipelines.
RUN_MARKS = {"PIPELINE_START": "run_start", "RUN_START": "run_start", "PIPELINE_SUCCESS": "run_end",
             "RUN_SUCCESS": "run_end", "PIPELINE_FAILURE": "run_end", "RUN_FAILURE": "run_end"}


def dagster_step_times(home: Path, launched: float) -> dict:
    """When the run and each step started and ended, relative to the CLI's launch, from the event log."""
    from dagster import DagsterInstance

    from rest_assets.orchestration.metadata import CPU_SECONDS, DURATION_SECONDS

    instance = DagsterInstance.from_config(str(home))
    try:
        run = instance.get_runs(limit=1)[0]
        marks: dict = {"steps": {}, "events": {}}
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None:
                continue
            at = round(entry.timestamp - launched, 3)
            kind = event.event_type_value
            marks["events"][kind] = marks["events"].get(kind, 0) + 1
            if kind in RUN_MARKS:
                marks[RUN_MARKS[kind]] = at
            elif kind.endswith("_PLANNED"):
                marks.setdefault("first_planned", at)
            elif kind in ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE") and event.step_key:
                marks["steps"].setdefault(event.step_key, {})[kind.lower()] = at
            elif kind == "ASSET_MATERIALIZATION" and event.step_key:
                metadata = event.event_specific_data.materialization.metadata
                step = marks["steps"].setdefault(event.step_key, {})
                if DURATION_SECONDS in metadata:
                    step["sync_seconds"] = metadata[DURATION_SECONDS].value
                if CPU_SECONDS in metadata:  # the same on each asset of the step
                    step["cpu_seconds"] = metadata[CPU_SECONDS].value
        return marks
    finally:
        instance.dispose()


def run_cli_paced(sim: SimProcess, work: Path, args) -> dict:
    """The CLI with every API's requests paced to the simulator's limit."""
    return run_cli(sim, work, args, {"REST_ASSETS_HTTP_REQUESTS_PER_SECOND": str(args.rate_limit)})


def run_floor_requests(sim: SimProcess, work: Path, args) -> dict:
    return run_floor(sim, work, args, client="requests")


RUNNERS = {"floor_stdlib": run_floor, "floor_requests": run_floor_requests, "stock_dlt": run_stock,
           "rest_assets_cli": run_cli, "rest_assets_cli_paced": run_cli_paced}


def rate_limit_report(before: dict, after: dict, steps: dict, rate_limit: int) -> dict:
    """Per API: requests, 429s, and the sync's time against the ideal (requests answered / rate limit).

    Each API has its own limit and the APIs sync in parallel, so the whole sync's ideal
    is that of the API with the most requests.
    """
    per_api = {}
    for api, counts in after["per_api"].items():
        prior = before["per_api"].get(api, {"requests": 0, "throttled": 0})
        requests, throttled = counts["requests"] - prior["requests"], counts["throttled"] - prior["throttled"]
        ideal_s = (requests - throttled) / rate_limit
        sync_s = steps.get(f"{api}_sync", {}).get("sync_seconds")
        per_api[api] = {"requests": requests, "throttled": throttled, "ideal_s": round(ideal_s, 2), "sync_s": sync_s,
                        "x_ideal": round(sync_s / ideal_s, 2) if sync_s and ideal_s else None}
    requests = sum(a["requests"] for a in per_api.values())
    throttled = sum(a["throttled"] for a in per_api.values())
    slowest = max(per_api, key=lambda api: per_api[api]["ideal_s"])
    return {"requests_per_second": rate_limit, "throttled": throttled,
            "throttled_share": round(throttled / requests, 4) if requests else None,
            "slowest_api": slowest, **{k: per_api[slowest][k] for k in ("ideal_s", "sync_s", "x_ideal")},
            "per_api": per_api}


# --- a pass -----------------------------------------------------------------------------


def run_pass(spec: Pass, args, workroot: Path) -> dict:
    sizes = sizes_for(spec.scale)
    expected = expected_counts(sizes)
    total_rows = sum(expected.values())
    pass_dir = workroot / spec.name
    pass_dir.mkdir(parents=True)
    summary = {
        "name": spec.name, "scale": spec.scale, "latency_s": spec.latency_s, "sizes": sizes,
        "expected_rows": total_rows, "expected_pages": expected_pages(sizes), "sim_cache": spec.sim_cache,
        "results": [],
    }
    print(f"\n== pass {spec.name}: {total_rows:,} rows, ~{summary['expected_pages']:,} pages, "
          f"latency {spec.latency_s * 1000:.0f} ms"
          + (f", {spec.rate_limit} requests/s per API ({args.rate_limit_headers})" if spec.rate_limit else ""), flush=True)
    sim = SimProcess(sizes, spec.latency_s, spec.sim_cache, pass_dir / "simulator.log",
                     spec.rate_limit, args.rate_limit_headers)
    try:
        if spec.sim_cache:
            started = time.monotonic()
            warm = pass_dir / "warmup"
            warm.mkdir()
            run_floor(sim, warm, args)
            summary["warmup_s"] = round(time.monotonic() - started, 1)
            print(f"   simulator cache warmed in {summary['warmup_s']} s: {sim.stats()}", flush=True)
        for contender in spec.contenders:
            work = pass_dir / contender
            work.mkdir()
            print(f"   {contender} ...", end=" ", flush=True)
            before, sim_cpu, busy = sim.stats(), sim.cpu_seconds(), machine_busy_seconds()
            result = RUNNERS[contender](sim, work, args)
            after = sim.stats()
            busy = machine_busy_seconds() - busy
            result.update(
                command=portable(result["command"], workroot),
                contender=contender,
                sim_cpu_s=round(sim.cpu_seconds() - sim_cpu, 2),
                machine_cpu_s=round(busy, 2),
                requests=after["requests"] - before["requests"],
                cache_misses=after["cache_misses"] - before["cache_misses"],
            )
            if spec.rate_limit:
                steps = result.get("details", {}).get("steps", {})
                result["rate_limit"] = rate_limit_report(before, after, steps, spec.rate_limit)
            problems = check_counts(result.get("rows", {}), expected)
            result["rows_loaded"] = sum(result.get("rows", {}).values())
            if result["timed_out"]:
                result["status"] = "timeout"
            elif result["returncode"] != 0:
                result["status"] = f"failed ({result['returncode']})"
            else:
                result["status"] = "ok" if not problems else "WRONG ROWS"
            result["row_problems"] = problems[:20]
            result["rows_per_s"] = round(result["rows_loaded"] / result["wall_s"]) if result["wall_s"] else None
            result["cpu_s"] = round(result["cpu_user_s"] + result["cpu_system_s"], 2)
            # CPU used by anything else on the machine meanwhile (other users' work distorts the timing).
            result["other_cpu_s"] = round(max(0.0, busy - result["cpu_s"] - result["sim_cpu_s"]), 1)
            summary["results"].append(result)
            print(f"{result['wall_s']:.1f} s, {result['status']}", flush=True)
            if result["status"] not in ("ok", "timeout"):
                print(f"     see {work / 'output.log'}; {problems[:5]}", flush=True)
    finally:
        sim.stop()
    floors = [r for r in summary["results"] if r["contender"] in FLOORS and r["status"] == "ok"]
    floor = min(floors, key=lambda r: r["wall_s"], default=None)
    summary["floor"] = floor["contender"] if floor else None
    for result in summary["results"]:
        result["ratio_to_floor"] = round(result["wall_s"] / floor["wall_s"], 2) if floor else None
    return summary


# --- the fixed-cost pass --------------------------------------------------------------------


def run_fixed_pass(args, workroot: Path) -> dict:
    """What every small run pays: each contender's `dagster asset materialize`, paired with Dagster's empty run.

    Each contender has its own DAGSTER_HOME (migrated, SQLite, as `run_cli`'s) and DuckDB file, and one
    untimed run first: the small API and the rerun then meet a warehouse that already holds the
    simulator's rows, as a scheduled run does (nothing changed upstream: incremental resources read
    nothing new, complete listings read every row again). Then `--fixed-rounds` rounds, each running
    every contender once, in an order that rotates round by round; a contender's ratio in a round is
    its wall time over the empty run's in the same round, and the pass reports the median.
    """
    sizes = sizes_for(args.fixed_scale)
    expected = expected_counts(sizes)
    contenders = [c for c in FIXED_CONTENDERS if c not in args.skip or c == "dagster_empty"]
    pass_dir = workroot / "fixed"
    pass_dir.mkdir(parents=True)
    summary = {"name": "fixed", "scale": args.fixed_scale, "latency_s": 0.0, "sizes": sizes,
               "expected_rows": sum(expected.values()), "expected_pages": expected_pages(sizes), "sim_cache": False,
               "rounds": [], "warmups": {}, "results": []}
    print(f"\n== pass fixed: {args.fixed_rounds} rounds of {', '.join(contenders)}; "
          f"{summary['expected_rows']:,} rows in the warehouse", flush=True)
    sim = SimProcess(sizes, 0.0, False, pass_dir / "simulator.log")
    try:
        envs = {}
        for contender in contenders:
            home = pass_dir / contender / "dagster_home"
            home.mkdir(parents=True)
            envs[contender] = {**base_env(sim), "DAGSTER_HOME": str(home),
                               "REST_ASSETS_DUCKDB_PATH": str(pass_dir / contender / "cli.duckdb"),
                               "REST_ASSETS_DATA_DIR": str(pass_dir / contender / "data")}
            subprocess.run([DAGSTER, "instance", "migrate"], cwd=ROOT, env=envs[contender], check=True, capture_output=True)
            warm = _fixed_run(sim, contender, envs[contender], pass_dir / contender / "warmup", expected, args)
            summary["warmups"][contender] = warm
            print(f"   {contender}: warm-up {warm['wall_s']:.1f} s, {warm['status']}", flush=True)
        for n in range(args.fixed_rounds):
            order = contenders[n % len(contenders):] + contenders[:n % len(contenders)]
            runs = {c: _fixed_run(sim, c, envs[c], pass_dir / c / f"round{n}", expected, args) for c in order}
            floor = runs["dagster_empty"]["wall_s"]
            for run in runs.values():
                run["ratio_to_floor"] = round(run["wall_s"] / floor, 3)
            summary["rounds"].append({"order": order, "runs": runs})
            print(f"   round {n + 1}: " + ", ".join(f"{c} {runs[c]['wall_s']:.2f} s ({runs[c]['ratio_to_floor']:.2f}x)"
                                              for c in contenders), flush=True)
    finally:
        sim.stop()
    for contender in contenders:
        runs = [r["runs"][contender] for r in summary["rounds"]]
        statuses = {run["status"] for run in runs} | {summary["warmups"][contender]["status"]}
        result = {
            "contender": contender, "command": runs[0]["command"], "rounds": len(runs),
            "status": "ok" if statuses == {"ok"} else sorted(statuses - {"ok"})[0],
            "wall_s": _median([r["wall_s"] for r in runs]), "walls_s": [r["wall_s"] for r in runs],
            "ratio_to_floor": round(_median([r["ratio_to_floor"] for r in runs]), 2),
            "ratios": [r["ratio_to_floor"] for r in runs],
            "cpu_s": round(_median([r["cpu_s"] for r in runs]), 2),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs), "peak_tree_rss_mb": max(r["peak_tree_rss_mb"] for r in runs),
            "max_processes": max(r["max_processes"] for r in runs),
            "rows_loaded": runs[-1]["rows_loaded"], "requests": runs[-1]["requests"],
            "sim_cpu_s": _median([r["sim_cpu_s"] for r in runs]), "other_cpu_s": _median([r["other_cpu_s"] for r in runs]),
        }
        if phases := [r["phases"] for r in runs if r.get("phases")]:
            result["phases"] = {name: round(_median([p[name] for p in phases]), 3) for name in phases[0]}
        result["rows_per_s"] = None
        summary["results"].append(result)
    summary["floor"] = "dagster_empty"
    return summary


def _fixed_run(sim: SimProcess, contender: str, env: dict, work: Path, expected: dict, args) -> dict:
    module, select = FIXED_SELECT[contender]
    work.mkdir(parents=True)
    before, busy = sim.stats(), machine_busy_seconds()
    started = time.time()
    result = measured([DAGSTER, "asset", "materialize", "-m", module, "--select", select], work, env, args.cli_timeout)
    busy = machine_busy_seconds() - busy
    result["cpu_s"] = round(result["cpu_user_s"] + result["cpu_system_s"], 2)
    result["requests"] = sim.stats()["requests"] - before["requests"]
    result["sim_cpu_s"] = 0.0  # the simulator's CPU is in the machine's; small here
    result["other_cpu_s"] = round(max(0.0, busy - result["cpu_s"]), 1)
    result["command"] = portable(result["command"], work.parents[2])
    problems: list[str] = []
    if contender in FIXED_SYNCING:
        result["rows"] = duckdb_counts(Path(env["REST_ASSETS_DUCKDB_PATH"]))
        problems = check_counts(result["rows"], {k: v for k, v in expected.items() if k.startswith(FIXED_SYNCING[contender])})
    try:
        result["details"] = dagster_step_times(Path(env["DAGSTER_HOME"]), started)
        result["phases"] = run_phases(result["details"], result["wall_s"])
    except Exception as error:  # the timings are a bonus
        result["details"] = {"error": repr(error)}
    result["rows_loaded"] = sum(result.get("rows", {}).values())
    result["status"] = ("timeout" if result["timed_out"] else f"failed ({result['returncode']})" if result["returncode"]
                        else "WRONG ROWS" if problems else "ok")
    result["row_problems"] = problems[:20]
    if result["status"] != "ok":
        print(f"     {contender}: {result['status']}; see {work / 'output.log'}; {problems[:5]}", flush=True)
    return result


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return round(ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2, 3)


def run_phases(details: dict, wall_s: float) -> dict | None:
    """Where a run's wall time went, read from its event log: everything before the first planned event
    (the CLI's start, imports, the instance, the definitions, the job's plan), the planned events, the step
    workers' start, the steps (first start to last end), and what follows them (the run's end, the exit)."""
    steps = [step for step in details.get("steps", {}).values() if "step_start" in step]
    ends = [step.get("step_success", step.get("step_failure")) for step in steps]
    if not steps or None in ends or "run_start" not in details or "run_end" not in details:
        return None
    planned = details.get("first_planned", details["run_start"])
    first_start = min(step["step_start"] for step in steps)
    return {"before_planning_s": planned, "planned_events_s": round(details["run_start"] - planned, 3),
            "workers_starting_s": round(first_start - details["run_start"], 3),
            "steps_s": round(max(ends) - first_start, 3), "after_steps_s": round(wall_s - max(ends), 3),
            "events": sum(details["events"].values())}


PHASE_COLUMNS = {"before_planning_s": "before planning s", "planned_events_s": "planned events s",
                 "workers_starting_s": "workers starting s", "steps_s": "steps s", "after_steps_s": "after steps s"}


def fixed_phases_table(passes: list[dict]) -> str:
    head = ("contender", *PHASE_COLUMNS.values(), "events")
    lines = [
        (r["contender"], *(f"{r['phases'][name]:.2f}" for name in PHASE_COLUMNS), str(r["phases"]["events"]))
        for p in passes if p["name"] == "fixed" for r in p["results"] if r.get("phases")
    ]
    return _aligned(head, lines) if lines else ""


def fixed_table(passes: list[dict]) -> str:
    head = ("contender", "wall s", "x empty run", "ratios by round", "CPU s", "RSS MB", "processes", "requests", "status")
    lines = [
        (r["contender"], f"{r['wall_s']:.2f}", f"{r['ratio_to_floor']:.2f}", " ".join(f"{x:.2f}" for x in r["ratios"]),
         f"{r['cpu_s']:.1f}", f"{r['peak_rss_mb']:.0f}", str(r["max_processes"]), f"{r['requests']:,}", r["status"])
        for p in passes if p["name"] == "fixed" for r in p["results"]
    ]
    return _aligned(head, lines) if lines else ""


# --- output --------------------------------------------------------------------------------


def portable(command: list[str], workroot: Path) -> list[str]:
    """The command as it would be typed in the repository, so results from other machines compare."""
    return [arg.replace(str(workroot), "<workdir>").replace(str(ROOT) + "/", "") for arg in command]


def table(passes: list[dict]) -> str:
    head = ("pass", "contender", "rows", "lat ms", "wall s", "rows/s", "RSS MB", "tree MB", "CPU s", "sim CPU s",
            "other CPU s", "requests", "x floor", "status")
    lines = []
    for p in passes:
        if p["name"] == "fixed":  # its own table (fixed_table)
            continue
        for r in p["results"]:
            lines.append((
                p["name"], r["contender"], f"{r['rows_loaded']:,}", f"{p['latency_s'] * 1000:.0f}", f"{r['wall_s']:.1f}",
                f"{r['rows_per_s']:,}" if r["rows_per_s"] is not None else "-", f"{r['peak_rss_mb']:.0f}",
                f"{r['peak_tree_rss_mb']:.0f}", f"{r['cpu_s']:.1f}", f"{r['sim_cpu_s']:.1f}", f"{r.get('other_cpu_s', 0):.1f}", f"{r['requests']:,}",
                f"{r['ratio_to_floor']:.2f}" if r["ratio_to_floor"] is not None else "-", r["status"],
            ))
    return _aligned(head, lines)


PHASES = ("extract", "normalize", "load")


def cpu_profile(passes: list[dict]) -> list[dict]:
    """CPU milliseconds per 1,000 rows: each contender's whole, and the CLI's by dlt step, Dagster the rest.

    The steps' figures come from each sync's `cpu_seconds` (its process's CPU in each dlt step);
    "dagster" is the CLI's process tree minus those: the CLI, the step processes' start, the
    event log.
    """
    profile = []
    for p in passes:
        if p["name"] == "fixed":  # per-row figures mean nothing for fixed costs
            continue
        for r in p["results"]:
            rows = r["rows_loaded"] or p["expected_rows"]
            line = {"pass": p["name"], "contender": r["contender"], "total": r["cpu_s"]}
            steps = [step["cpu_seconds"] for step in r.get("details", {}).get("steps", {}).values()
                     if isinstance(step, dict) and "cpu_seconds" in step]
            if steps:
                for phase in PHASES:
                    line[phase] = sum(step.get(phase, 0.0) for step in steps)
                line["dagster"] = r["cpu_s"] - sum(line[phase] for phase in PHASES)
            profile.append({k: round(v * 1e6 / rows, 1) if isinstance(v, float) else v for k, v in line.items()})
    return profile


def cpu_profile_table(profile: list[dict]) -> str:
    head = ("pass", "contender", "total", *PHASES, "dagster")
    lines = [tuple(str(line.get(k, "-")) for k in head) for line in profile]
    return _aligned(head, lines)


def rate_limit_table(passes: list[dict]) -> str:
    """The rate-limit pass: 429s, and the slowest API's sync against its ideal (requests / limit)."""
    head = ("contender", "limit/s", "requests", "429s", "429 share", "slowest API", "ideal s", "sync s", "x ideal",
            "wall s", "status")
    lines = [
        (r["contender"], str(limits["requests_per_second"]), f"{r['requests']:,}", f"{limits['throttled']:,}",
         f"{limits['throttled_share']:.1%}", limits["slowest_api"], f"{limits['ideal_s']:.1f}",
         f"{limits['sync_s']:.1f}" if limits["sync_s"] is not None else "-",
         f"{limits['x_ideal']:.2f}" if limits["x_ideal"] is not None else "-", f"{r['wall_s']:.1f}", r["status"])
        for p in passes for r in p["results"] if (limits := r.get("rate_limit"))
    ]
    return _aligned(head, lines) if lines else ""


def _aligned(head: tuple, rows: list[tuple]) -> str:
    lines = [head, *rows]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(str(c).rjust(w) if i > 1 else str(c).ljust(w) for i, (c, w) in enumerate(zip(line, widths))))
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu_model"] = next(l.split(":", 1)[1].strip() for l in cpuinfo.splitlines() if l.startswith("model name"))
        mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
        info["memory_gib"] = round(int(mem) / 2**20, 1)
    except (OSError, StopIteration, IndexError):
        pass
    from importlib.metadata import version

    info["versions"] = {pkg: version(pkg) for pkg in ("dlt", "dagster", "duckdb", "requests")}
    return info


def git() -> dict:
    def run(*cmd: str) -> str:
        return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return {"commit": run("rev-parse", "HEAD"), "dirty_files": run("status", "--porcelain", "--", "rest_assets").splitlines()}


# --- main ------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20k rows and a 5k-row latency pass (about a minute)")
    parser.add_argument("--scale", type=int, default=None, help="rows of the CPU pass (default 1,000,000)")
    parser.add_argument("--latency-scale", type=int, default=None,
                        help="rows of the latency pass (default 80,000: the floor then needs about a minute)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request in the latency pass")
    parser.add_argument("--skip", action="append", default=[],
                        choices=[*CONTENDERS, *RATE_LIMIT_CONTENDERS[1:], *FIXED_CONTENDERS[1:], "floor", "stock", "cli", "latency",
                                 "cpu", "fixed"],
                        help="leave out a contender or a pass (repeatable)")
    parser.add_argument("--latency-stock", action="store_true", help="also run stock dlt in the latency pass")
    parser.add_argument("--uncached", action="store_true",
                        help="the CPU pass against a simulator that generates every page anew (~30 us of CPU a row "
                             "on the same cores) instead of answering from pages it encoded once")
    parser.add_argument("--stock-timeout", type=float, default=None, help="time box of stock dlt (default 1200 s)")
    parser.add_argument("--cli-timeout", type=float, default=3600)
    parser.add_argument("--floor-timeout", type=float, default=3600)
    parser.add_argument("--rate-limit", type=int, default=None, metavar="R",
                        help="add a pass against a simulator that allows R requests a second per API: the CLI "
                             "reading its rate-limit headers alone, and paced with requests_per_second = R")
    parser.add_argument("--rate-limit-scale", type=int, default=20_000, help="rows of the rate-limit pass")
    parser.add_argument("--rate-limit-headers", choices=("x-ratelimit", "ietf"), default="x-ratelimit",
                        help="X-RateLimit-* with an epoch-second reset, or the IETF RateLimit-* in seconds")
    parser.add_argument("--fixed-scale", type=int, default=2_000,
                        help="rows in the warehouse of the fixed-cost pass (small data: its runs are fixed costs)")
    parser.add_argument("--fixed-rounds", type=int, default=5,
                        help="rounds of the fixed-cost pass, each running Dagster's empty run and every contender once")
    parser.add_argument("--out", default=None, help="JSON results (default bench/results/<date>-<scale>.json)")
    parser.add_argument("--workdir", default=None, help="where DuckDB files, logs and dlt folders go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    args = parser.parse_args(argv)
    if args.quick:
        args.scale = args.scale or 20_000
        args.latency_scale = args.latency_scale or 5_000
        args.stock_timeout = args.stock_timeout or 300
        args.fixed_rounds = min(args.fixed_rounds, 3)
    args.scale = args.scale or 1_000_000
    args.latency_scale = args.latency_scale or 80_000
    args.stock_timeout = args.stock_timeout or 1200
    skip = {{"stock": "stock_dlt", "cli": "rest_assets_cli"}.get(s, s) for s in args.skip}
    if "floor" in skip:
        skip |= set(FLOORS)
    args.skip = skip
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    passes = []
    contenders = [c for c in CONTENDERS if c not in args.skip]
    if "cpu" not in args.skip:
        passes.append(Pass("cpu", args.scale, 0.0, contenders, sim_cache=not args.uncached))
    if "latency" not in args.skip:
        passes.append(Pass("latency", args.latency_scale, args.latency,
                           # Waiting dominates both floors here: one plain reader is enough.
                           [c for c in contenders if c != "floor_requests" and (c != "stock_dlt" or args.latency_stock)]))
    if args.rate_limit:
        passes.append(Pass("ratelimit", args.rate_limit_scale, 0.0,
                           [c for c in RATE_LIMIT_CONTENDERS if c not in args.skip], args.rate_limit))
    workroot = Path(args.workdir or tempfile.mkdtemp(prefix="rest_assets_bench-")).resolve()
    workroot.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc)
    report = {
        "benchmark": "rest_assets", "started": started.isoformat(timespec="seconds"), "git": git(),
        "machine": machine(),
        "args": {k: (sorted(v) if isinstance(v, set) else portable([v], workroot)[0] if isinstance(v, str) else v)
                 for k, v in vars(args).items()},
        "note": "the simulator runs in its own process on the same 2-core machine; its CPU is sim_cpu_s",
        "passes": [],
    }
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"{started:%Y%m%d-%H%M%S}-{args.scale}.json"
    print(f"work dir {workroot}", flush=True)
    try:
        if "fixed" not in args.skip:
            report["passes"].append(run_fixed_pass(args, workroot))
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(report, indent=1))
        for spec in passes:
            report["passes"].append(run_pass(spec, args, workroot))
            report["cpu_ms_per_1000_rows"] = cpu_profile(report["passes"])
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(report, indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(workroot, ignore_errors=True)
    if fixed := fixed_table(report["passes"]):
        print("\nfixed cost (median of paired rounds; x empty run: wall over Dagster's empty run in the same round)")
        print(fixed)
        if phases := fixed_phases_table(report["passes"]):
            print("\nwhere each run's wall time went (median of rounds, from its event log)")
            print(phases)
    if any(p["name"] != "fixed" for p in report["passes"]):
        print()
        print(table(report["passes"]))
        print("\nCPU ms per 1,000 rows (the CLI's by dlt step; dagster: the rest of its process tree)")
        print(cpu_profile_table(report["cpu_ms_per_1000_rows"]))
    if limits := rate_limit_table(report["passes"]):
        print(f"\nrate limit ({args.rate_limit_headers} headers): ideal = the slowest API's answered requests / limit")
        print(limits)
    print("\nRSS MB: peak of the largest single process; tree MB: peak sum over the contender's process tree.")
    print("other CPU s: CPU the rest of the machine used meanwhile; well above 0, the timings are disturbed.")
    print(f"results: {out}")
    if any(r["status"] not in ("ok", "timeout") for p in report["passes"] for r in p["results"]):
        sys.exit(1)
