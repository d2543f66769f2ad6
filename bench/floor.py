"""`python -m bench.floor --client stdlib|requests --out FILE`: the floor, a plain sequential reader written without dlt.

Walks every page of every resource that a full sync reads, one request at a time on one
kept-alive connection per API, with each API's auth and pagination (and `modified_since`
where the sync sends it), parses the JSON and counts rows; nothing more. Two clients, so
that the floor is whichever plain reader is faster here: the standard library's
`http.client` with `json.loads`, or a `requests.Session` with `response.json()`.
Settings come from the same env vars the project reads (`Simulator.env()`).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import time
from typing import Iterator
from urllib.parse import urlencode, urlsplit

import requests

from rest_assets_sim.apis import APIS

TIMEOUT = 60


def env(name: str) -> str:
    return os.environ[name]


class StdlibClient:
    """GETs over one kept-alive `http.client` connection per origin; `json.loads` of the body."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self._connections: dict[tuple[str, str], http.client.HTTPConnection] = {}

    def _request(self, method: str, url: str, body: str | None = None, headers: dict | None = None) -> dict:
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._connections:
            kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            self._connections[key] = kind(parts.netloc, timeout=TIMEOUT)
        connection = self._connections[key]
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body,
                           headers={**self.headers, **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        if response.status >= 400:
            raise RuntimeError(f"{method} {url} answered HTTP {response.status}")
        return json.loads(data)

    def get(self, url: str, params: dict | None = None) -> dict:
        return self._request("GET", url + ("&" if "?" in url else "?") + urlencode(params) if params else url)

    def post_form(self, url: str, data: dict) -> dict:
        return self._request("POST", url, urlencode(data), {"Content-Type": "application/x-www-form-urlencoded"})


class RequestsClient:
    """The same over a `requests.Session` (keep-alive), parsing with `response.json()` as dlt's client does."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.headers = self.session.headers

    def get(self, url: str, params: dict | None = None) -> dict:
        response = self.session.get(url, params=params, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    def post_form(self, url: str, data: dict) -> dict:
        response = self.session.post(url, data=data, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()


CLIENTS = {"stdlib": StdlibClient, "requests": RequestsClient}


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def taskrouter(s, counts: dict) -> None:
    base = env("TASKROUTER_BASE_URL")
    s.headers["Authorization"] = basic_auth(env("TASKROUTER_ACCOUNT_SID"), env("TASKROUTER_AUTH_TOKEN"))

    def walk(url: str, key: str) -> Iterator[dict]:
        body = s.get(url, {"PageSize": 50})
        while True:
            yield from body[key]
            nxt = body["meta"]["next_page_url"]
            if not nxt:
                return
            body = s.get(nxt)

    sids = []
    for row in walk(f"{base}/v1/resource", "workspaces"):
        sids.append(row["sid"])
    counts["taskrouter/workspaces"] = len(sids)
    counts["taskrouter/workers"] = sum(1 for sid in sids for _ in walk(f"{base}/v1/resource/{sid}/Workers", "workers"))


def agency(s, counts: dict) -> None:
    base = env("AGENCY_BASE_URL")
    s.headers["Authorization"] = f"Bearer {env('AGENCY_API_TOKEN')}"
    for name, resource in APIS["agency"].resources.items():
        n, params = 0, {"limit": 100}
        while True:
            body = s.get(base + resource.path, params)
            rows = body["results"]
            n += len(rows)
            if not body["hasMore"] or not rows:
                break
            params = {"limit": 100, "startingAfter": rows[-1]["id"]}
        counts[f"agency/{name}"] = n


def resourcing(s, counts: dict) -> None:
    base = env("RESOURCING_BASE_URL")
    s.headers["Authorization"] = f"Bearer {env('RESOURCING_API_TOKEN')}"
    for name, resource in APIS["resourcing"].resources.items():
        extra = {"modified_since": env("RESOURCING_START_DATE")} if resource.since else {}
        n, page = 0, 1
        while True:
            rows = s.get(base + resource.path, {**extra, "page": page, "per-page": 200})["data"]
            n += len(rows)
            if len(rows) < 200:
                break
            page += 1
        counts[f"resourcing/{name}"] = n


def workhub(s, counts: dict) -> None:
    base = env("WORKHUB_BASE_URL")
    s.headers["api_key"] = env("WORKHUB_API_KEY")
    for name in APIS["workhub"].resources:
        n, params = 0, {"limit": 100}
        while True:
            body = s.get(f"{base}/api/1.0/{name}", params)
            n += len(body["data"])
            if not body["pagination"]["hasMore"]:
                break
            params = {"limit": 100, "pageToken": body["pagination"]["nextPageToken"]}
        counts[f"workhub/{name}"] = n


def datasync(s, counts: dict) -> None:
    base = env("DATASYNC_BASE_URL")
    token = s.post_form(env("DATASYNC_TOKEN_URL"), {"grant_type": "client_credentials", "client_id": env("DATASYNC_CLIENT_ID"),
                                                     "client_secret": env("DATASYNC_CLIENT_SECRET")})
    s.headers["Authorization"] = f"Bearer {token['access_token']}"
    n, offset = 0, 0
    while True:  # offset paging without a total: like dlt's OffsetPaginator, stop on an empty page
        rows = s.get(f"{base}/v1/jobs", {"offset": offset, "limit": 100})["data"]
        if not rows:
            break
        n += len(rows)
        offset += 100
    counts["datasync/jobs"] = n
    for name in ("connections", "workspaces"):
        n, body = 0, s.get(f"{base}/v1/{name}")
        while True:
            n += len(body["data"])
            if not body.get("next"):
                break
            body = s.get(body["next"])
        counts[f"datasync/{name}"] = n


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor")
    parser.add_argument("--client", choices=CLIENTS, default="stdlib")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    counts: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for read in (taskrouter, agency, resourcing, workhub, datasync):
        started = time.monotonic()
        read(CLIENTS[args.client](), counts)
        seconds[read.__name__] = round(time.monotonic() - started, 3)
    with open(args.out, "w") as f:
        json.dump({"rows": counts, "seconds_per_api": seconds}, f, indent=1)


if __name__ == "__main__":
    main()
