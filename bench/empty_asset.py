"""Dagster's floor for a run: a project with one asset that does nothing.

`dagster asset materialize -m bench.empty_asset --select '*'`, on the same kind of instance as
the project's CLI runs, is what any Dagster run costs on this machine: starting the CLI, loading
definitions, the run's events, one step process. The fixed-cost pass times the project's small
runs against it.
"""

import dagster as dg


@dg.asset
def empty() -> None:
    """Nothing to do: what is measured is Dagster around it."""


defs = dg.Definitions(assets=[empty])
