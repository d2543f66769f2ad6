"""`python -m rest_assets_sim [--port 8000] [--rows 300] [--seed 0] [--rate-limit R]`: serve until Ctrl-C / SIGTERM.

It serves the demo's dataset (`demo_dataset.py`): after `dev.py demo --rows N`, `dev.py sim --rows N`
(the same N; both default to 300) lists exactly the rows the demo loaded, so a sync from the UI
deletes nothing. Other sizes look to a sync like rows deleted or added upstream.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import threading

from .demo_dataset import DEMO_ROWS, demo_sizes
from .ratelimit import HEADER_STYLES, RateLimit
from .server import Simulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m rest_assets_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--rows", type=int, default=DEMO_ROWS,
                        help=f"records per resource, as `dev.py demo --rows` (default {DEMO_ROWS}; taskrouter: 20 "
                             "workspaces with rows/4 workers each)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to wait before each response")
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per second per API; 429 beyond that")
    parser.add_argument("--rate-limit-headers", choices=HEADER_STYLES, default="x-ratelimit")
    args = parser.parse_args(argv)
    rate_limit = RateLimit(args.rate_limit, headers=args.rate_limit_headers) if args.rate_limit else None

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with Simulator(sizes=demo_sizes(args.rows), default_rows=args.rows, seed=args.seed, latency_seconds=args.latency,
                   host=args.host, port=args.port, rate_limit=rate_limit) as sim:
        for name, value in sim.env().items():
            print(f"export {name}={shlex.quote(value)}")
        print(f"# serving on {sim.root_url}; Ctrl-C to stop", flush=True)
        while not stop.wait(0.5):  # a timed wait lets the signal handler run promptly
            pass


if __name__ == "__main__":
    main()
