"""Aggregate py-spy raw (collapsed) output: time by pipeline phase and by leaf category."""
import sys, re, collections
phase_c = collections.Counter(); leaf_c = collections.Counter(); pl = collections.Counter(); func_c = collections.Counter()
total = 0
CATS = [
 ("http: socket/ssl recv+send", r"(socket\.py|selectors\.py|ssl\.py|recv_into|sendall)"),
 ("http: requests/urllib3/http.client", r"(requests/|urllib3/|http/client\.py|email/)"),
 ("json parse (simplejson/json/orjson loads)", r"(simplejson/|json/decoder|json/__init__|orjson|loads)"),
 ("duckdb", r"duckdb"),
 ("gzip (dlt file compression)", r"gzip\.py|zlib"),
 ("dlt data writers / buffered", r"dlt/common/data_writers"),
 ("dlt normalize (items/relational)", r"dlt/normalize"),
 ("dlt schema / coercion / typing", r"dlt/common/(schema|normalizers|data_types|typing|time)"),
 ("dlt json (orjson dumps etc)", r"dlt/common/json"),
 ("dlt extract pipe / items", r"dlt/extract"),
 ("dlt rest_api/rest_client/jsonpath", r"(dlt/sources|jsonpath)"),
 ("dlt storages/files", r"dlt/common/storages"),
 ("dlt other", r"dlt/"),
 ("import / startup", r"<frozen importlib"),
]
for line in open(sys.argv[1]):
    line = line.rstrip()
    if not line: continue
    stack, _, n = line.rpartition(" ")
    n = int(n)
    if stack.endswith("_worker (concurrent/futures/thread.py:81)") or stack.endswith("_worker (concurrent/futures/thread.py:81) "): continue  # idle pool threads
    total += n
    frames = stack.split(";")
    ph = "other"
    for f in frames:
        m = re.match(r"(?:Pipeline\.)?(extract|normalize|load|sync_destination) \(dlt/pipeline/pipeline\.py", f.strip())
        if m: ph = m.group(1); break
    if ph == "other" and any("dlt/load/" in f for f in frames): ph = "load"
    if ph == "other" and any("<frozen importlib" in f for f in frames): ph = "import/startup"
    if ph == "other" and any("dagster" in f for f in frames): ph = "dagster (non-dlt)"
    phase_c[ph] += n
    # leaf category: deepest frame that matches a category, scanning from leaf upwards, prefer first match from leaf
    cat = "other"
    for f in reversed(frames):
        for name, rx in CATS:
            if re.search(rx, f): cat = name; break
        if cat != "other": break
    leaf_c[(ph, cat)] += n
    func_c[frames[-1].split(" (")[0] + " " + (re.search(r"\((.*?):", frames[-1]).group(1).split("site-packages/")[-1] if "(" in frames[-1] else "")] += n
print(f"total samples {total}")
for k, v in phase_c.most_common(): print(f"  {k:20s} {v/total*100:5.1f}%")
print("by phase x leaf category")
for (ph, cat), v in sorted(leaf_c.items(), key=lambda x: -x[1])[:30]: print(f"  {ph:16s} {cat:45s} {v/total*100:5.1f}%")
print("top leaf functions")
for k, v in func_c.most_common(25): print(f"  {v/total*100:5.1f}%  {k}")
