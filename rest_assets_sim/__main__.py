"""`python -m rest_assets_sim [--port 8000] [--rows 30] [--seed 0] [--rate-limit R]`: serve until Ctrl-C / SIGTERM."""

from __future__ import annotations

import argparse
import shlex
import signal
import threading

from .ratelimit import HEADER_STYLES, RateLimit
from .server import Simulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m rest_assets_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--rows", type=int, default=30, help="records per resource (workers: per workspace)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to wait before each response")
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per second per API; 429 beyond that")
    parser.add_argument("--rate-limit-headers", choices=HEADER_STYLES, default="x-ratelimit")
    args = parser.parse_args(argv)
    rate_limit = RateLimit(args.rate_limit, headers=args.rate_limit_headers) if args.rate_limit else None

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with Simulator(default_rows=args.rows, seed=args.seed, latency_seconds=args.latency, host=args.host, port=args.port,
                   rate_limit=rate_limit) as sim:
        for name, value in sim.env().items():
            print(f"export {name}={shlex.quote(value)}")
        print(f"# serving on {sim.root_url}; Ctrl-C to stop", flush=True)
        while not stop.wait(0.5):  # a timed wait lets the signal handler run promptly
            pass


if __name__ == "__main__":
    main()
