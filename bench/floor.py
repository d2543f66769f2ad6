"""`python -m bench.floor --out FILE`: the floor, a plain sequential reader written without dlt.

Walks every page of every resource that a full sync reads, one request at a time,
with each API's auth and pagination, parses the JSON (`response.json()`, as dlt's
client does) and counts rows; nothing more. Settings come from the same env vars
the project reads (`Simulator.env()`).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Iterator

import requests

from rest_assets_sim.apis import APIS

TIMEOUT = 60


def env(name: str) -> str:
    return os.environ[name]


def pages(session: requests.Session, url: str, params: dict | None = None) -> dict:
    """GET one page."""
    response = session.get(url, params=params, timeout=TIMEOUT)
    response.raise_for_status()
    return response.json()


def taskrouter(counts: dict) -> None:
    base = env("TASKROUTER_BASE_URL")
    s = requests.Session()
    s.auth = (env("TASKROUTER_ACCOUNT_SID"), env("TASKROUTER_AUTH_TOKEN"))

    def walk(url: str, key: str) -> Iterator[dict]:
        body = pages(s, url, {"PageSize": 50})
        while True:
            yield from body[key]
            nxt = body["meta"]["next_page_url"]
            if not nxt:
                return
            body = pages(s, nxt)

    sids = []
    for row in walk(f"{base}/v1/resource", "workspaces"):
        sids.append(row["sid"])
    counts["taskrouter/workspaces"] = len(sids)
    counts["taskrouter/workers"] = sum(1 for sid in sids for _ in walk(f"{base}/v1/resource/{sid}/Workers", "workers"))


def agency(counts: dict) -> None:
    base = env("AGENCY_BASE_URL")
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {env('AGENCY_API_TOKEN')}"
    for name, resource in APIS["agency"].resources.items():
        n, params = 0, {"limit": 100}
        while True:
            body = pages(s, base + resource.path, params)
            rows = body["results"]
            n += len(rows)
            if not body["hasMore"] or not rows:
                break
            params = {"limit": 100, "startingAfter": rows[-1]["id"]}
        counts[f"agency/{name}"] = n


def resourcing(counts: dict) -> None:
    base = env("RESOURCING_BASE_URL")
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {env('RESOURCING_API_TOKEN')}"
    for name, resource in APIS["resourcing"].resources.items():
        extra = {"modified_since": env("RESOURCING_START_DATE")} if resource.since else {}
        n, page = 0, 1
        while True:
            rows = pages(s, base + resource.path, {**extra, "page": page, "per-page": 200})["data"]
            n += len(rows)
            if len(rows) < 200:
                break
            page += 1
        counts[f"resourcing/{name}"] = n


def workhub(counts: dict) -> None:
    base = env("WORKHUB_BASE_URL")
    s = requests.Session()
    s.headers["api_key"] = env("WORKHUB_API_KEY")
    for name in APIS["workhub"].resources:
        n, params = 0, {"limit": 100}
        while True:
            body = pages(s, f"{base}/api/1.0/{name}", params)
            n += len(body["data"])
            if not body["pagination"]["hasMore"]:
                break
            params = {"limit": 100, "pageToken": body["pagination"]["nextPageToken"]}
        counts[f"workhub/{name}"] = n


def datasync(counts: dict) -> None:
    base = env("DATASYNC_BASE_URL")
    s = requests.Session()
    token = s.post(
        env("DATASYNC_TOKEN_URL"),
        data={"grant_type": "client_credentials", "client_id": env("DATASYNC_CLIENT_ID"),
              "client_secret": env("DATASYNC_CLIENT_SECRET")},
        timeout=TIMEOUT,
    )
    token.raise_for_status()
    s.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    n, offset = 0, 0
    while True:  # offset paging without a total: like dlt's OffsetPaginator, stop on an empty page
        rows = pages(s, f"{base}/v1/jobs", {"offset": offset, "limit": 100})["data"]
        if not rows:
            break
        n += len(rows)
        offset += 100
    counts["datasync/jobs"] = n
    for name in ("connections", "workspaces"):
        n, body = 0, pages(s, f"{base}/v1/{name}")
        while True:
            n += len(body["data"])
            if not body.get("next"):
                break
            body = pages(s, body["next"])
        counts[f"datasync/{name}"] = n


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    counts: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for read in (taskrouter, agency, resourcing, workhub, datasync):
        started = time.monotonic()
        read(counts)
        seconds[read.__name__] = round(time.monotonic() - started, 3)
    with open(args.out, "w") as f:
        json.dump({"rows": counts, "seconds_per_api": seconds}, f, indent=1)


if __name__ == "__main__":
    main()
