"""The demo's dataset: what `dev.py demo` loads and what `dev.py sim` serves, so that a sync from
the UI after the demo finds every row it has and deletes nothing.

The simulator generates row i of a resource from (seed, api, resource, i), so the same seed and
sizes serve the same rows to any number of simulators.
"""

from __future__ import annotations

DEMO_ROWS = 300
WORKSPACES = 20


def demo_sizes(rows: int = DEMO_ROWS) -> dict[str, dict[str, int]]:
    """`rows` records per resource, except taskrouter: 20 workspaces with rows/4 workers each
    (workers are generated per workspace, so `rows` of them each would be 20 x rows)."""
    if rows < 1:
        raise ValueError(f"rows must be at least 1, not {rows}")
    return {"taskrouter": {"workspaces": WORKSPACES, "workers": max(1, rows // 4)}}
