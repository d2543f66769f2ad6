"""OAuth2 client credentials (datasync): the token is refreshed before it expires, however long the run."""

from __future__ import annotations


def test_token_is_refreshed_before_expiry_during_a_long_run(make_project):
    # 1 s tokens, 30 ms per request, ~50 requests: the run outlives many tokens.
    project = make_project(sizes={"datasync": {"jobs": 3000, "connections": 1500, "workspaces": 200}},
                           token_ttl_seconds=1.0, latency_seconds=0.03)
    assert project.materialize("datasync").success

    token_requests = [r for r in project.sim.requests if r.path == "/oauth/token"]
    api_requests = [r for r in project.sim.requests if r.path != "/oauth/token"]
    assert len(token_requests) >= 2, "a run longer than the token's life must fetch new tokens"
    assert all(r.status == 200 for r in api_requests), "no request may go out with an expired token"
    assert project.count("datasync", "jobs") == 3000


def test_resources_extracted_in_parallel_share_one_token(make_project):
    project = make_project(sizes={"datasync": {"jobs": 600, "connections": 600, "workspaces": 600}}, latency_seconds=0.02)
    assert project.materialize("datasync").success
    assert len([r for r in project.sim.requests if r.path == "/oauth/token"]) == 1
