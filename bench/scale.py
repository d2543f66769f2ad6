"""How a scale (total rows) maps to per-resource simulator sizes.

~1M rows over the 43 resources and ~14,000 pages at the default scale:

- the 41 resources that are not taskrouter's share ~94% of the rows equally;
- taskrouter has `scale * 0.006` workspaces (6,000 at 1M) with 8 workers each, so
  every workspace is one child page: ~6,000 small child requests, the fan-out that
  decides the latency pass;
- pages follow from the page sizes: taskrouter 50, agency 100, resourcing 200,
  workhub 100, datasync 100.
"""

from __future__ import annotations

import math

from rest_assets_sim.apis import APIS
from rest_assets_sim.data import Dataset

WORKSPACE_SHARE = 0.006
WORKERS_PER_WORKSPACE = 8
PAGE_SIZE = {"taskrouter": 50, "agency": 100, "resourcing": 200, "workhub": 100, "datasync": 100}


def sizes_for(scale: int) -> dict[str, dict[str, int]]:
    workspaces = max(1, round(scale * WORKSPACE_SHARE))
    others = [(api.name, r) for api in APIS.values() if api.name != "taskrouter" for r in api.resources]
    per_resource = max(1, round((scale - workspaces * (1 + WORKERS_PER_WORKSPACE)) / len(others)))
    sizes: dict[str, dict[str, int]] = {"taskrouter": {"workspaces": workspaces, "workers": WORKERS_PER_WORKSPACE}}
    for api, resource in others:
        sizes.setdefault(api, {})[resource] = per_resource
    return sizes


def expected_counts(sizes: dict[str, dict[str, int]]) -> dict[str, int]:
    """`api/resource` -> rows a full sync must land (the simulator's own arithmetic)."""
    data = Dataset(APIS, sizes, 0, 0, None)
    return {
        f"{api}/{resource}": sum(len(view) for view in data.views(api, resource))
        for (api, resource) in data.tables
    }


def expected_pages(sizes: dict[str, dict[str, int]]) -> int:
    """Requests a sync needs (excluding the one OAuth token request), by each API's paging rule."""
    pages = 0
    for api, per_resource in sizes.items():
        size = PAGE_SIZE[api]
        for resource, n in per_resource.items():
            if api == "taskrouter" and resource == "workers":
                pages += sizes["taskrouter"]["workspaces"] * max(1, math.ceil(n / size))
            elif api == "resourcing":  # stops on a short page: a full last page costs one empty one
                pages += n // size + 1
            elif api == "datasync" and resource == "jobs":  # offset without total: stops on an empty page
                pages += math.ceil(n / size) + 1
            else:  # has-more flag or next link: an exactly-full last page already says "no more"
                pages += max(1, math.ceil(n / size))
    return pages


if __name__ == "__main__":
    for scale in (20_000, 100_000, 1_000_000):
        sizes = sizes_for(scale)
        print(scale, sum(expected_counts(sizes).values()), "rows", expected_pages(sizes), "pages")
