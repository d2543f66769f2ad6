"""`python -m bench.simserver --sizes JSON [--latency S] [--cache] [--rate-limit R]`: the simulator in its own process.

The benchmark runs the simulator apart from the measured contender, so the contender's
RSS and CPU are its own. It prints one JSON line (`env`, `root_url`, `pid`) once serving,
then serves until SIGTERM. `GET /__bench/stats` answers the number of API requests served
so far (in all and per API, with the 429s among them) and cache hits/misses, so each
contender's request count can be checked. `--rate-limit R` limits every API to R requests
a second (`rest_assets_sim.ratelimit`).

`--cache` keeps every encoded page after its first request (keyed by API, path and
query, after the auth check): a warm-up pass then makes the server's own cost (row
generation, ~30 us a row in Python) nearly vanish, so the timings measure the client.
Only for runs with no hooks and no mutations, which is all the benchmark does.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time

from rest_assets_sim import RateLimit, Response, Simulator
from rest_assets_sim.paging import ApiError
from rest_assets_sim.ratelimit import HEADER_STYLES

STATS_PATH = "/__bench/stats"


class CachingSimulator(Simulator):
    def __init__(self, *args, cache: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cache_enabled = cache
        self.cache: dict[tuple, bytes] = {}
        self.hits = self.misses = 0

    def _respond(self, found, ctx) -> Response:
        if ctx.api is None and ctx.path == STATS_PATH:
            return Response(200, {**self._served(), "cache_hits": self.hits, "cache_misses": self.misses,
                                  "cache_pages": len(self.cache)})
        if not (self.cache_enabled and found.resource is not None and ctx.method == "GET"):
            return super()._respond(found, ctx)
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        error = self._auth_error(found.api, ctx.headers)
        if error:
            raise ApiError(401, error)
        key = (found.api.name, ctx.path, tuple(sorted(ctx.query.items())))
        body = self.cache.get(key)
        if body is None:
            self.misses += 1
            body = json.dumps(self._list(found, ctx.query), separators=(",", ":")).encode()
            self.cache[key] = body
        else:
            self.hits += 1
        return Response(200, body, {"Content-Type": "application/json"})

    def _served(self) -> dict:
        per_api: dict[str, dict[str, int]] = {}
        with self._lock:
            for record in self._log:
                if record.api is not None:
                    counts = per_api.setdefault(record.api, {"requests": 0, "throttled": 0})
                    counts["requests"] += 1
                    counts["throttled"] += record.status == 429
        return {"requests": sum(c["requests"] for c in per_api.values()), "per_api": per_api}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.simserver")
    parser.add_argument("--sizes", required=True, help="JSON {api: {resource: rows}}")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--cache", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per second per API; 429 beyond that")
    parser.add_argument("--rate-limit-headers", choices=HEADER_STYLES, default="x-ratelimit")
    args = parser.parse_args()
    rate_limit = RateLimit(args.rate_limit, headers=args.rate_limit_headers) if args.rate_limit else None

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    sim = CachingSimulator(sizes=json.loads(args.sizes), default_rows=0, latency_seconds=args.latency,
                           port=args.port, cache=args.cache, rate_limit=rate_limit)
    with sim:
        print(json.dumps({"env": sim.env(), "root_url": sim.root_url, "pid": os.getpid()}), flush=True)
        while not stop.wait(0.5):
            pass


if __name__ == "__main__":
    main()
