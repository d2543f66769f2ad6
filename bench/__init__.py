"""The speed benchmark: plain reading vs stock dlt vs the project's sync, against the simulator.

    python -m bench                # the full run: ~1M rows, then the 50 ms latency pass
    python -m bench --quick        # ~20k rows and a small latency pass, about a minute

See bench/README.md.
"""
