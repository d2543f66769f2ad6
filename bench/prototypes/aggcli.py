import sys, re, collections
by_proc = collections.Counter(); cat = collections.Counter(); total = 0
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip().rpartition(" ")
    if not stack: continue
    n = int(n)
    if stack.endswith("_worker (concurrent/futures/thread.py:81)"): continue
    frames = stack.split(";")
    procs = [f for f in frames if f.startswith("process ")]
    cmd = procs[-1] if procs else "?"
    kind = "cli (dagster asset materialize)" if "asset materialize" in cmd else ("step process (spawn)" if "spawn_main" in cmd else cmd[:80])
    total += n; by_proc[kind] += n
    body = ";".join(f for f in frames if not f.startswith("process "))
    if "<frozen importlib" in body: c = "imports (python, dagster, dlt, definitions)"
    elif "dlt/pipeline/pipeline.py" in body or "dlt/load/" in body or "dlt/normalize" in body: 
        m = re.search(r"Pipeline\.(extract|normalize|load|sync_destination) \(dlt/pipeline", body)
        c = "dlt " + (m.group(1) if m else ("load" if "dlt/load/" in body else "other"))
    elif "build_definitions" in body or "build_api_assets" in body or "load_apis" in body: c = "building definitions (non-import)"
    elif "dagster" in body: c = "dagster machinery (events, storage, plan, executor)"
    else: c = "other"
    cat[(kind, c)] += n
print("samples", total, "(100 Hz → CPU-seconds = samples/100)")
for k, v in by_proc.most_common(): print(f"  {k:40s} {v/100:6.1f} s")
for (k, c), v in sorted(cat.items(), key=lambda x: -x[1])[:20]: print(f"  {k:32s} {c:52s} {v/100:6.1f} s")
