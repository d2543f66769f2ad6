"""Every environment variable the project reads, and when it reads it.

Three moments: when the definitions load (the webserver, the daemon, a code server and
each run's processes load them), when a run starts (its sync op builds the connection
and the dlt source), and at each tick of a sensor. A changed definitions-load setting
takes effect once the code location reloads. The README's "Settings" table lists the
same, and a test keeps the two alike.

Each API's own variables are named in its defs.yaml: its credentials (`*_env`, read when
a run starts) and what its templates read with `{{ env(...) }}` (base URLs, token URLs:
read when the definitions load).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Mapping

DEFINITIONS_LOAD = "definitions load"
RUN_START = "run start"
SENSOR_TICK = "each sensor tick"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    read_at: str
    meaning: str

    def value(self, environ: Mapping[str, str] = os.environ) -> str | None:
        """The variable's value, or the default when it is unset or empty."""
        return environ.get(self.name) or self.default

    def is_set(self, environ: Mapping[str, str] = os.environ) -> bool:
        return bool(environ.get(self.name))

    def named(self, **parts: str) -> "Setting":
        """The setting with its `<PLACEHOLDERS>` filled in, e.g. `API_HTTP.named(api="agency", field="max_retries")`
        is AGENCY_HTTP_MAX_RETRIES."""
        name = self.name
        for placeholder, value in parts.items():
            name = name.replace(f"<{placeholder.upper()}>", value.upper())
        return dataclasses.replace(self, name=name)

    def number(self, environ: Mapping[str, str] = os.environ) -> float:
        text = self.value(environ)
        try:
            return float(text)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name}={text!r} is not a number") from None


DESTINATION = Setting("REST_ASSETS_DESTINATION", "duckdb", DEFINITIONS_LOAD,
                      "dlt destination name; anything but duckdb takes dlt's own credentials (deploy/README.md)")
DUCKDB_PATH = Setting("REST_ASSETS_DUCKDB_PATH", "data/rest_assets.duckdb", DEFINITIONS_LOAD, "the DuckDB file")
DATA_DIR = Setting("REST_ASSETS_DATA_DIR", "data", DEFINITIONS_LOAD,
                   "where each run's dlt working folder lives (deleted after the run)")
DUCKDB_MEMORY_LIMIT = Setting("REST_ASSETS_DUCKDB_MEMORY_LIMIT", "128MB", DEFINITIONS_LOAD,
                              "DuckDB's memory during a load; past it DuckDB spills to disk")
DUCKDB_LOCK_TIMEOUT_SECONDS = Setting("REST_ASSETS_DUCKDB_LOCK_TIMEOUT_SECONDS", "120", DEFINITIONS_LOAD,
                                      "how long a sync waits for another program to close the DuckDB file")
PROGRESS_LOG_SECONDS = Setting("REST_ASSETS_PROGRESS_LOG_SECONDS", "10", DEFINITIONS_LOAD,
                               "a sync step (extract, normalize, load) that runs this long writes dlt's progress "
                               "to the run's log, every as many seconds and at its end")
TIMEZONE = Setting("REST_ASSETS_TIMEZONE", "UTC", DEFINITIONS_LOAD, "the schedules' timezone (unless one sets its own)")
MAX_RUNTIME_SECONDS = Setting("REST_ASSETS_MAX_RUNTIME_SECONDS", "14400", DEFINITIONS_LOAD,
                              "the longest a run of the generated jobs, schedules and sensors may last: Dagster's run "
                              "monitoring then ends it (tag `dagster/max_runtime`)")
EXECUTOR = Setting("REST_ASSETS_EXECUTOR", None, DEFINITIONS_LOAD,
                   "`celery`: each API's step a task on a Celery worker (dagster-celery, deploy/README.md); `k8s`: "
                   "each step a Kubernetes job (dagster-k8s); unset: a run of one API in the run's own process, of "
                   "several one process per API step")
CELERY_BROKER = Setting("REST_ASSETS_CELERY_BROKER", "pyamqp://guest@localhost:5672//", DEFINITIONS_LOAD,
                        "with the `celery` executor, the broker's URL, the same for the runs and every worker (each "
                        "reads it when it starts): RabbitMQ `pyamqp://user:password@host:5672/vhost` or Redis "
                        "`redis://host:6379/0`")
CELERY_BACKEND = Setting("REST_ASSETS_CELERY_BACKEND", "rpc://", DEFINITIONS_LOAD,
                         "with the `celery` executor, where workers send each step's result: `rpc://` (through "
                         "RabbitMQ) or `redis://host:6379/1`")
API_PATH = Setting("REST_ASSETS_API_PATH", None, DEFINITIONS_LOAD,
                   "more folders of API folders (`<api>/defs.yaml`), separated by `:`")
HTTP = Setting("REST_ASSETS_HTTP_<FIELD>", None, RUN_START,
               "an HttpPolicy field for every API, e.g. REST_ASSETS_HTTP_TIMEOUT_SECONDS=30 (also read by change sensors)")
API_HTTP = Setting("<API>_HTTP_<FIELD>", None, RUN_START,
                   "an HttpPolicy field for one API, e.g. AGENCY_HTTP_REQUESTS_PER_SECOND=8; wins over the one above")
ALERT_WEBHOOK_URL = Setting("REST_ASSETS_ALERT_WEBHOOK_URL", None, SENSOR_TICK,
                            "where the failure sensor posts each failed run's alert (JSON)")

SETTINGS = (DESTINATION, DUCKDB_PATH, DATA_DIR, DUCKDB_MEMORY_LIMIT, DUCKDB_LOCK_TIMEOUT_SECONDS, PROGRESS_LOG_SECONDS,
            TIMEZONE, MAX_RUNTIME_SECONDS, EXECUTOR, CELERY_BROKER, CELERY_BACKEND, API_PATH, HTTP, API_HTTP, ALERT_WEBHOOK_URL)
