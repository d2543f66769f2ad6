"""Two public APIs of the dlt config corpus (rest_assets_tests/corpus/), served as simulator hooks.

    sim = Simulator().start()
    pokeapi = PokeApi(sim.root_url, {"pokemon": 2345, "berry": 64, "location": 1100})
    sim.hooks.append(pokeapi)                # answers under /pokeapi/api/v2/
    os.environ["POKEAPI_BASE_URL"] = pokeapi.base_url
    ...
    assert loaded == pokeapi.count("pokemon")

They plug into the server through its existing extension point (`Simulator.hooks`): the five
project APIs, their routing and their faults are untouched. Each hook answers only below its own
path prefix and returns None elsewhere. Records are pure functions of (resource, index).

The shapes are the parts of the real APIs that dlt's `rest_api` reads:

- PokeAPI (https://pokeapi.co/api/v2/): `GET /<resource>?limit=&offset=` (limit defaults to 20)
  answers `{"count", "next", "previous", "results": [{"name", "url"}]}` where `next` is the
  absolute URL of the next page, null on the last; `GET /<resource>/<name or id>` answers that one
  record's detail object (a berry: id, name, growth_time, max_harvest, size, firmness, flavors, ...).
- The DE Zoomcamp taxi API (https://us-central1-dlthub-analytics.cloudfunctions.net/
  data_engineering_zoomcamp_api): `GET ?page=N` (1-based) answers a bare JSON list of 1,000 rides,
  and `[]` past the last page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from .server import HookContext, Response

_FLAVORS = ("spicy", "dry", "sweet", "bitter", "sour")
_FIRMNESS = ("very-soft", "soft", "hard", "very-hard", "super-hard")


class PokeApi:
    """PokeAPI's listings (offset/limit, `next` link) and berry details, below /pokeapi/api/v2/."""

    prefix = "/pokeapi/api/v2/"

    def __init__(self, root_url: str, sizes: dict[str, int]) -> None:
        self.root_url = root_url
        self.sizes = dict(sizes)

    @property
    def base_url(self) -> str:
        return self.root_url + self.prefix

    def count(self, resource: str) -> int:
        return self.sizes[resource]

    @staticmethod
    def name(resource: str, index: int) -> str:
        return f"{resource}-{index + 1}"

    def __call__(self, ctx: HookContext) -> Response | None:
        if ctx.api is not None or not ctx.path.startswith(self.prefix):
            return None
        if ctx.method != "GET":
            return Response(405, {"detail": "Method Not Allowed"})
        parts = ctx.path[len(self.prefix):].strip("/").split("/")
        if parts[0] not in self.sizes or len(parts) > 2:
            return Response(404, "Not Found")
        if len(parts) == 1:
            return self._listing(parts[0], ctx.query)
        return self._detail(parts[0], parts[1])

    def _listing(self, resource: str, query: dict[str, str]) -> Response:
        try:
            limit, offset = int(query.get("limit", 20)), int(query.get("offset", 0))
        except ValueError:
            return Response(400, "Bad Request")
        total = self.sizes[resource]
        indices = range(max(offset, 0), min(offset + max(limit, 0), total))
        at = lambda start: f"{self.base_url}{resource}?{urlencode({'offset': start, 'limit': limit})}"  # noqa: E731
        return Response(200, {
            "count": total,
            "next": at(offset + limit) if offset + limit < total else None,
            "previous": at(max(offset - limit, 0)) if offset > 0 else None,
            "results": [{"name": self.name(resource, i), "url": f"{self.base_url}{resource}/{i + 1}/"} for i in indices],
        })

    def _detail(self, resource: str, key: str) -> Response:
        index = int(key) - 1 if key.isdigit() else next(
            (i for i in range(self.sizes[resource]) if self.name(resource, i) == key), -1)
        if not 0 <= index < self.sizes[resource]:
            return Response(404, "Not Found")
        record = {"id": index + 1, "name": self.name(resource, index)}
        if resource == "berry":
            record.update({
                "growth_time": 2 + index % 20,
                "max_harvest": 5 + index % 11,
                "natural_gift_power": 60 + index % 21,
                "size": 20 + (index * 37) % 280,
                "smoothness": 20 + index % 15,
                "soil_dryness": 5 + index % 30,
                "firmness": {"name": _FIRMNESS[index % 5], "url": f"{self.base_url}berry-firmness/{index % 5 + 1}/"},
                "flavors": [
                    {"flavor": {"name": flavor, "url": f"{self.base_url}berry-flavor/{n + 1}/"},
                     "potency": (index + n) % 4 * 10}
                    for n, flavor in enumerate(_FLAVORS)
                ],
            })
        return Response(200, record)


class TaxiApi:
    """The DE Zoomcamp workshop's taxi rides: ?page=N, 1,000 a page, [] past the end."""

    path = "/taxi/data_engineering_zoomcamp_api"
    page_size = 1000

    def __init__(self, root_url: str, rides: int) -> None:
        self.root_url = root_url
        self.rides = rides

    @property
    def base_url(self) -> str:
        return self.root_url + self.path

    def __call__(self, ctx: HookContext) -> Response | None:
        if ctx.api is not None or ctx.path.rstrip("/") != self.path:
            return None
        try:
            page = int(ctx.query.get("page", 1))
        except ValueError:
            return Response(400, {"error": "invalid page"})
        start = (max(page, 1) - 1) * self.page_size
        return Response(200, [self.ride(i) for i in range(start, min(start + self.page_size, self.rides))])

    @staticmethod
    def ride(index: int) -> dict:
        minute = index % (24 * 60)
        return {
            "vendor_name": ("VTS", "CMT", "DDS")[index % 3],
            "Trip_Pickup_DateTime": f"2009-06-{1 + index % 28:02d} {minute // 60:02d}:{minute % 60:02d}:00",
            "Trip_Dropoff_DateTime": f"2009-06-{1 + index % 28:02d} {minute // 60:02d}:{minute % 60:02d}:30",
            "Passenger_Count": 1 + index % 4,
            "Trip_Distance": round(0.5 + (index * 7) % 150 / 10, 2),
            "Start_Lon": -73.99 + (index % 100) / 1000,
            "Start_Lat": 40.73 + (index % 90) / 1000,
            "Payment_Type": ("Credit", "CASH")[index % 2],
            "Fare_Amt": round(2.5 + (index * 13) % 400 / 10, 2),
            "Tip_Amt": round((index * 3) % 50 / 10, 2),
            "Total_Amt": round(2.5 + (index * 13) % 400 / 10 + (index * 3) % 50 / 10, 2),
        }
