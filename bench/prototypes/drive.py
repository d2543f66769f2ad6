"""Run prototype variants against one simulator; measure, verify counts, compare data with the first variant."""
import argparse, json, os, shutil
from pathlib import Path
from bench.run import machine_busy_seconds, SimProcess, base_env, measured, duckdb_counts, check_counts, PYTHON
from bench.scale import sizes_for, expected_counts
from bench.compare import compare

p = argparse.ArgumentParser()
p.add_argument("--scale", type=int, default=100_000)
p.add_argument("--latency", type=float, default=0.0)
p.add_argument("--cache", action="store_true")
p.add_argument("--work", default="/tmp/proto/work")
p.add_argument("--out", required=True)
p.add_argument("--reference", default=None, help="DuckDB to compare every variant with")
p.add_argument("variants", nargs="+", help="name=args for variant.py (space separated, quoted); or name=@cli:<extra dagster args>")
a = p.parse_args()

sizes = sizes_for(a.scale); expected = expected_counts(sizes)
work = Path(a.work); shutil.rmtree(work, ignore_errors=True); work.mkdir(parents=True)
sim = SimProcess(sizes, a.latency, a.cache, work / "sim.log")
results = []
try:
    if a.cache:
        d = work / "warm"; d.mkdir()
        measured([PYTHON, "-m", "bench.floor", "--out", str(d / "f.json")], d, base_env(sim), None)
        print("warm", sim.stats(), flush=True)
    ref = a.reference
    for spec in a.variants:
        name, _, rest = spec.partition("=")
        d = work / name; d.mkdir()
        db = d / "v.duckdb"
        env = base_env(sim)
        extra_env = {}
        argv = rest.split()
        while argv and "=" in argv[0] and not argv[0].startswith("-") and argv[0].split("=")[0].isupper():
            k, v = argv.pop(0).split("=", 1); extra_env[k] = v
        env.update(extra_env)
        before, cpu0, busy0 = sim.stats(), sim.cpu_seconds(), machine_busy_seconds()
        spy = bool(argv and argv[0] == "@spy")
        if spy:
            argv.pop(0)
        if argv and argv[0] == "@cli":
            home = d / "home"; home.mkdir()
            env.update(DAGSTER_HOME=str(home), REST_ASSETS_DUCKDB_PATH=str(db), REST_ASSETS_DATA_DIR=str(d / "data"))
            import subprocess
            dag = str(Path(PYTHON).with_name("dagster"))
            subprocess.run([dag, "instance", "migrate"], env=env, check=True, capture_output=True, cwd=os.getcwd())
            cmd = [dag, "asset", "materialize", "-m", "rest_assets.definitions", "--select", "*", *argv[1:]]
            if spy: cmd = [str(Path(PYTHON).with_name("py-spy")), "record", "-r", "100", "-f", "raw", "--subprocesses", "-o", str(d / "profile.txt"), "--", *cmd]
            m = measured(cmd, d, env, 1800); m["timings"] = None
        else:
            cmd = [PYTHON, "/tmp/proto/variant.py", "--duckdb", str(db), "--workdir", str(d / "wd"), "--out", str(d / "t.json"), *argv]
            if spy: cmd = [str(Path(PYTHON).with_name("py-spy")), "record", "-r", "200", "-f", "raw", "-o", str(d / "profile.txt"), "--", *cmd]
            m = measured(cmd, d, env, 1800)
            m["timings"] = json.loads((d / "t.json").read_text()) if (d / "t.json").exists() else None
        after = sim.stats(); busy = machine_busy_seconds() - busy0
        m.update(name=name, spec=rest, sim_cpu_s=round(sim.cpu_seconds() - cpu0, 2), requests=after["requests"] - before["requests"])
        m["other_cpu_s"] = round(busy - m["cpu_user_s"] - m["cpu_system_s"] - m["sim_cpu_s"], 1)
        m["count_problems"] = check_counts(duckdb_counts(db), expected)[:5]
        if a.reference == "none": pass
        elif ref is None and not m["count_problems"] and m["returncode"] == 0:
            ref = str(db); m["identical"] = "reference"
        elif ref:
            m["identical"] = compare(ref, str(db)) or True
        m.setdefault("identical", "n/a"); results.append(m)
        print(f"{name:28s} wall {m['wall_s']:7.2f}  cpu {m['cpu_user_s']+m['cpu_system_s']:7.2f}  rss {m['peak_rss_mb']:6.0f}  tree {m['peak_tree_rss_mb']:6.0f}  sim {m['sim_cpu_s']:6.2f}  other {m['other_cpu_s']:5.1f}  req {m['requests']}  rc {m['returncode']}  counts {'ok' if not m['count_problems'] else len(m['count_problems'])}  identical {m['identical'] if m['identical'] in (True,'reference') else m['identical'][:3]}  {json.dumps(m['timings'])[:400]}", flush=True)
        json.dump(results, open(a.out, "w"), indent=1)
finally:
    sim.stop()
