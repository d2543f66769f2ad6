"""Dagster's UI as the browser sees it: the webserver's GraphQL endpoint, launching what its buttons launch."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import requests

LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
REEXECUTE = """mutation($params: ReexecutionParams!) { launchRunReexecution(reexecutionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
RUN = """query($runId: ID!) { runOrError(runId: $runId) { ... on Run { status startTime endTime } } }"""
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


class Ui:
    """A webserver's GraphQL API; `location` is the code location's name in its workspace."""

    def __init__(self, url: str, log: Path, location: str = "rest_assets.definitions"):
        self.url, self.log, self.location = url, log, location

    def __call__(self, query: str, **variables) -> dict:
        response = requests.post(f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=60)
        response.raise_for_status()
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    def wait_until_serving(self, process: subprocess.Popen, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        while True:
            assert process.poll() is None, self.tail()
            assert time.monotonic() < deadline, f"the webserver did not answer within {seconds} s:\n{self.tail()}"
            try:
                if requests.get(f"{self.url}/server_info", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(1)

    def launch(self, asset_keys: list[list[str]], checks: bool = False, tags: dict[str, str] | None = None) -> str:
        """What the asset graph's Materialize button launches: the implicit asset job, no run tags but `tags`."""
        selection = [{"path": key} for key in asset_keys]
        check_selection = [{"assetKey": {"path": key}, "name": name} for key in asset_keys
                           for name in ("primary_key_unique_and_not_null",)] if checks else []
        params = {"selector": {"repositoryLocationName": self.location, "repositoryName": "__repository__",
                               "jobName": "__ASSET_JOB", "assetSelection": selection,
                               "assetCheckSelection": check_selection},
                  "mode": "default",
                  "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}}
        return self._launched(self(LAUNCH, params=params)["launchRun"])

    def reexecute_from_failure(self, run_id: str) -> str:
        """The run page's "Re-execute from failure"."""
        return self._launched(self(REEXECUTE, params={"parentRunId": run_id, "strategy": "FROM_FAILURE"})
                              ["launchRunReexecution"])

    @staticmethod
    def _launched(answer: dict) -> str:
        assert answer["__typename"] == "LaunchRunSuccess", answer
        return answer["run"]["runId"]

    def run(self, run_id: str) -> dict:
        return self(RUN, runId=run_id)["runOrError"]

    def wait(self, run_id: str, seconds: float = 900, status: str = "SUCCESS") -> dict:
        """The run once it has ended, which must be with `status`."""
        deadline = time.monotonic() + seconds
        while (run := self.run(run_id))["status"] not in FINISHED:
            assert time.monotonic() < deadline, f"run {run_id} still {run['status']} after {seconds} s"
            time.sleep(0.5)
        assert run["status"] == status, f"run {run_id}: {run['status']}; the log's end:\n{self.tail()}"
        return run

    def tail(self) -> str:
        return "".join(self.log.read_text(errors="replace").splitlines(keepends=True)[-60:])
