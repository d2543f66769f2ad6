"""A deterministic local stand-in for the project's five REST APIs, served over HTTP.

    with Simulator(sizes={"agency": {"clients": 250}}) as sim:
        os.environ.update(sim.env())        # base URLs and credentials of all five APIs
        ...                                 # run a sync
        assert loaded == sim.expected_rows("agency", "clients")

One server on 127.0.0.1 serves every API under its own path prefix (see
`Simulator.base_urls`). Records are pure functions of (seed, api, resource,
index), generated per page, so large datasets cost no memory; `update_rows`,
`add_rows`, `delete_rows`, `restore_rows` and `rename_keys` mutate them through small overlays; `hooks` can
replace any response (fault injection, see `rest_assets_sim.faults`);
`requests` logs every request. `Simulator(tls=True)` serves HTTPS with the
test-only certificate `CA_BUNDLE`; `Simulator(rate_limit=RateLimit(20))` limits
each API to 20 requests a second, answering 429 beyond that (`rest_assets_sim.ratelimit`).
"""

from .apis import APIS, DEFAULT_CREDENTIALS, Credentials
from .ratelimit import RateLimit
from .server import CA_BUNDLE, HookContext, RequestRecord, Response, Simulator

__all__ = ["APIS", "CA_BUNDLE", "DEFAULT_CREDENTIALS", "Credentials", "HookContext", "RateLimit", "RequestRecord", "Response", "Simulator"]
