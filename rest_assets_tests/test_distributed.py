"""Past one machine: every API's sync a step on a Celery worker (REST_ASSETS_EXECUTOR=celery), as deploy/README.md
sets it up, with real workers on separate test hosts.

The topology: this machine runs Dagster's control plane (a code server, whose run workers orchestrate each run and
hand its steps to Celery; the daemon: run queue, run monitoring, run retries; the webserver, through which the
tests launch runs as the UI does), the API simulator, and the services: RabbitMQ (the broker, in a vhost of the
test's own), Redis (the result backend), PostgreSQL (Dagster's instance and the warehouse). Two test hosts, network
namespaces each with its own IP on a veth pair, run one Celery worker each; they reach the services through a
forwarder on this machine's side of the bridge, and share no folder with each other or with this machine's
processes: each has its own DAGSTER_HOME, REST_ASSETS_DATA_DIR (dlt's working folders), HOME and TMPDIR, so dlt's
state can come from nowhere but the warehouse.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from dagster import DagsterEventType, DagsterInstance, RunsFilter
from dlt.common.versioned_state import decompress_state

from rest_assets.orchestration.executor import CELERY_HEARTBEAT_SECONDS
from rest_assets.orchestration.loading import load_apis
from rest_assets_sim import HookContext, Simulator
from rest_assets_tests.celery_profile import SERVICES, ServiceMissing, rabbitmq_vhost, require_services, step_workers
from rest_assets_tests.conftest import REPO_ROOT, clean_env, free_port, start_service, stop_services
from rest_assets_tests.hosts import Host, Network, hosts_network
from rest_assets_tests.postgres import SERVER, query, sim_counts, table_counts, throwaway_database
from rest_assets_tests.ui import FINISHED, Ui

pytestmark = pytest.mark.distributed

BIN = Path(sys.executable).parent
LOCATION = "rest_assets"
ALL_APIS = ("taskrouter", "agency", "resourcing", "workhub", "datasync")
# Run monitoring checks runs this often here (60 s in deploy/dagster.yaml), so that a test sees its bound soon.
MONITORING_POLL_SECONDS = 2
LOGGED_TIME_ROWS = 1000  # five pages of resourcing/logged_time: a sync to kill in the middle of
WORKHUB_REQUESTS_PER_SECOND = 10
REDIS_DB = 7  # the broker's and the backend's database in the machine's Redis
MAX_RUNTIME_SECONDS = 15  # the tag of the run whose workers all die
TERMINATION_SECONDS = 5  # what run monitoring takes to end a run it found over its time, here


@dataclass
class Worker:
    name: str  # Celery's node name, `<name>@<host>`, which the event log records for each step it runs
    host: Host
    process: subprocess.Popen
    log: Path


@dataclass
class Cluster:
    root: Path
    network: Network
    sim: Simulator
    env: dict[str, str]  # every process's: the project's Celery profile
    ui: Ui
    instance: DagsterInstance
    warehouse: str  # the warehouse's database
    broker_password: str
    workers: dict[str, Worker] = field(default_factory=dict)

    def host_env(self, name: str) -> dict[str, str]:
        """A host's own folders: nothing on disk is shared between hosts."""
        home = self.root / name
        folders = {"DAGSTER_HOME": home / "dagster_home", "REST_ASSETS_DATA_DIR": home / "data", "HOME": home / "home",
                   "TMPDIR": home / "tmp", "STEP_LOGS_DIR": home / "step_logs"}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.root / "dagster.yaml", folders["DAGSTER_HOME"] / "dagster.yaml")
        return {**self.env, **{name: str(folder) for name, folder in folders.items()}}

    def start_worker(self, host: Host, name: str = "sync", settings: dict[str, str] | None = None) -> Worker:
        """A worker on `host`, as deploy/README.md starts one; `settings` change the profile's for it."""
        env = {**self.host_env(host.name), **(settings or {})}
        log = self.root / host.name / f"worker-{len(list((self.root / host.name).glob('worker-*.log'))) + 1}.log"
        with open(log, "w") as log_file:
            process = start_service(host.command([str(BIN / "celery"), "-A", "rest_assets.orchestration.celery_worker",
                                                  "worker", "-n", f"{name}@{host.name}", "--concurrency", "1",
                                                  "--without-mingle", "--without-gossip", "--loglevel", "INFO"]),
                                    cwd=env["HOME"], env=env, stdout=log_file, stderr=subprocess.STDOUT)
        worker = Worker(f"{name}@{host.name}", host, process, log)
        self.workers[worker.name] = worker
        return worker

    def stop(self, worker: Worker) -> None:
        stop_services([worker.process], 5)
        del self.workers[worker.name]

    def wait_until_ready(self, *workers: Worker, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        for worker in workers:
            while f"{worker.name} ready." not in worker.log.read_text(errors="replace"):
                assert worker.process.poll() is None, f"{worker.name} exited:\n{tail(worker.log)}"
                assert time.monotonic() < deadline, f"{worker.name} not ready after {seconds} s:\n{tail(worker.log)}"
                time.sleep(0.2)

    def kill(self, worker: Worker) -> float:
        """SIGKILL to the worker's whole process group (its pool's processes too), as a host that dies: when."""
        os.killpg(worker.process.pid, signal.SIGKILL)
        killed = time.time()
        worker.process.wait(timeout=30)
        del self.workers[worker.name]
        return killed

    def step_workers(self, run_id: str) -> list[tuple[str, str, float]]:
        """(step, worker, when) of each time a Celery worker began a step of the run, as the event log says."""
        return step_workers(self.instance, run_id)

    def step_windows(self, run_id: str) -> dict[str, tuple[float, float]]:
        """Each step's start and end (success or failure), from the event log."""
        starts, ends = {}, {}
        kinds = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}
        for entry in self.instance.all_logs(run_id, of_type=kinds):
            (starts if entry.dagster_event.event_type == DagsterEventType.STEP_START else ends)[entry.step_key] = (
                entry.timestamp)
        return {step: (starts[step], ends[step]) for step in ends}

    def engine_messages(self, run_id: str) -> list[str]:
        return [entry.message for entry in self.instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT)]


def tail(path: Path, lines: int = 40) -> str:
    return "".join(path.read_text(errors="replace").splitlines(keepends=True)[-lines:])


def or_fail(call, *args):
    """`call(*args)`, a missing service failing the test with the message that names it."""
    try:
        return call(*args)
    except ServiceMissing as missing:
        pytest.fail(str(missing), pytrace=False)


def instance_config() -> dict:
    """deploy/dagster.yaml, but for how often run monitoring and the run queue look, and where steps' logs go.

    A step's stdout and stderr go where the run's instance says, as a path: on real hosts, each host's own
    disk under the same DAGSTER_HOME path; here, where the hosts share one file system, each host's folder.
    """
    config = yaml.safe_load((REPO_ROOT / "deploy" / "dagster.yaml").read_text())
    config["run_monitoring"]["poll_interval_seconds"] = MONITORING_POLL_SECONDS
    config["run_queue"] = {"dequeue_interval_seconds": 1}  # 5 s by default
    config["compute_logs"] = {"module": "dagster._core.storage.local_compute_log_manager",
                              "class": "LocalComputeLogManager", "config": {"base_dir": {"env": "STEP_LOGS_DIR"}}}
    return config


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, tail(log)
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        assert time.monotonic() < deadline, f"nothing listens on {port} after {seconds} s:\n{tail(log)}"
        time.sleep(0.5)


def test_a_missing_service_fails_the_tests_naming_it_and_how_to_start_it(monkeypatch):
    monkeypatch.setitem(SERVICES, "Redis", (free_port(), "service redis-server start"))
    with pytest.raises(ServiceMissing, match=r"Redis is not listening on 127\.0\.0\.1:\d+ .* start it with "
                                             r"`service redis-server start`"):
        require_services()


def test_without_network_namespaces_the_hosts_are_processes_and_say_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `ip`: as where namespaces cannot be made
    with hosts_network(2) as network:
        assert not network.isolated and "network namespaces could not be made here" in network.why_not_isolated
        assert [(host.address, host.command(["celery"])) for host in network.hosts] == [("127.0.0.1", ["celery"])] * 2


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    or_fail(require_services)
    root = tmp_path_factory.mktemp("cluster")
    tag = f"rest-assets-{uuid.uuid4().hex[:8]}"
    with contextlib.ExitStack() as stack:
        network = stack.enter_context(hosts_network(2))
        if not network.isolated:
            warnings.warn(f"{network.why_not_isolated}: the workers run as separate processes on this machine")
        gateway = network.gateway
        network.forward({port: port for port, _ in SERVICES.values()})
        vhost, password = or_fail(stack.enter_context, rabbitmq_vhost(tag))
        dagster_db = stack.enter_context(throwaway_database("rest_assets_dagster"))
        warehouse = stack.enter_context(throwaway_database("rest_assets_warehouse"))
        sim = stack.enter_context(Simulator(sizes={"resourcing": {"logged_time": LOGGED_TIME_ROWS}}, host=gateway))
        (root / "dagster.yaml").write_text(yaml.safe_dump(instance_config()))
        pg = {"DAGSTER_PG_HOST": gateway, "DAGSTER_PG_PORT": "5432", "DAGSTER_PG_USERNAME": SERVER["user"],
              "DAGSTER_PG_PASSWORD": "", "DAGSTER_PG_DB": dagster_db}
        env = {**clean_env(), **sim.env(), **pg,
               "REST_ASSETS_EXECUTOR": "celery",
               "REST_ASSETS_CELERY_BROKER": f"pyamqp://{vhost}:{password}@{gateway}:5672/{vhost}",
               "REST_ASSETS_CELERY_BACKEND": f"redis://{gateway}:6379/0",
               "REST_ASSETS_DESTINATION": "postgres",
               # dlt requires a password; the server's trust auth ignores it.
               "DESTINATION__POSTGRES__CREDENTIALS": f"postgresql://{SERVER['user']}:unused@{gateway}:5432/{warehouse}",
               "WORKHUB_HTTP_REQUESTS_PER_SECOND": str(WORKHUB_REQUESTS_PER_SECOND)}
        with pytest.MonkeyPatch.context() as patch:
            for name, value in {**pg, "STEP_LOGS_DIR": str(root / "step_logs")}.items():
                patch.setenv(name, value)
            instance = stack.enter_context(DagsterInstance.from_config(str(root)))
        web_port = free_port()
        ui = Ui(f"http://127.0.0.1:{web_port}", root / "control" / "webserver.log", LOCATION)
        cluster = Cluster(root, network, sim, env, ui, instance, warehouse, password)
        for host in network.hosts:  # the workers start while the control plane does
            cluster.start_worker(host)
        control_processes = []
        stack.callback(lambda: stop_services([*control_processes, *(w.process for w in cluster.workers.values())], 2))

        control = cluster.host_env("control")
        grpc_port = free_port()
        workspace = root / "control" / "workspace.yaml"
        workspace.write_text(yaml.safe_dump({"load_from": [
            {"grpc_server": {"host": "127.0.0.1", "port": grpc_port, "location_name": LOCATION}}]}))
        commands = {
            "code-server": [str(BIN / "dagster"), "api", "grpc", "-m", "rest_assets.definitions", "-h", "127.0.0.1",
                            "-p", str(grpc_port)],
            "daemon": [str(BIN / "dagster-daemon"), "run", "-w", str(workspace)],
            "webserver": [str(BIN / "dagster-webserver"), "-w", str(workspace), "-h", "127.0.0.1", "-p", str(web_port)],
        }
        for name, command in commands.items():
            log = root / "control" / f"{name}.log"
            with open(log, "w") as log_file:
                process = start_service(command, cwd=REPO_ROOT, env=control, stdout=log_file, stderr=subprocess.STDOUT)
            control_processes.append(process)
            if name == "code-server":  # the daemon and the webserver find it serving
                wait_for_port(grpc_port, process, log)
        cluster.ui.wait_until_serving(process)
        cluster.wait_until_ready(*cluster.workers.values())
        yield cluster


def api_keys(*apis: str) -> list[list[str]]:
    return [[api.name, api.table_name(r)] for api in load_apis() if api.name in apis for r in api.resource_names]


def duplicate_keys(database: str, dataset: str) -> dict[str, int]:
    """Rows beyond the first of each primary key, per table of a dataset whose tables are keyed by `id`."""
    api = next(api for api in load_apis() if api.name == dataset)
    tables = [api.table_name(r) for r in api.resource_names]
    return {table: query(database, f"select count(*) - count(distinct id) from {dataset}.{table}")[0][0]
            for table in tables}


def logged_time_cursor(database: str) -> str:
    """resourcing/logged_time's incremental cursor, as dlt's state in the warehouse holds it (the newest state)."""
    (state,) = query(database, "select state from resourcing._dlt_pipeline_state order by created_at desc limit 1")[0]
    return decompress_state(state)["sources"]["resourcing"]["resources"]["logged_time"]["incremental"]["modified"][
        "last_value"]


@pytest.fixture(scope="module")
def loaded(cluster) -> str:
    """The cluster after one run of all 43 assets, with their checks, from the UI: that run's id."""
    run_id = cluster.ui.launch(api_keys(*ALL_APIS), checks=True)
    cluster.ui.wait(run_id, seconds=300)
    return run_id


def test_all_43_assets_land_exactly_with_steps_on_both_workers(cluster, loaded):
    run_id = loaded
    expected = sim_counts(cluster.sim)
    assert len(expected) == 43
    assert table_counts(cluster.warehouse, expected) == expected
    ran_on = {step: worker for step, worker, _ in cluster.step_workers(run_id)}
    assert set(ran_on) == {f"{api}_sync" for api in ALL_APIS}
    assert set(ran_on.values()) == {"sync@host1", "sync@host2"}, f"every step on one worker: {ran_on}"
    for host in ("host1", "host2"):  # each run's dlt working folder is gone: the next run's state is the warehouse's
        assert list((cluster.root / host / "data" / "dlt").iterdir()) == []
        assert list((cluster.root / host / "step_logs").rglob("*.out")), f"{host}'s steps logged on {host}"
    leaked = query_dagster(cluster, f"select count(*) from event_logs where event like '%{cluster.broker_password}%'")
    leaked += query_dagster(cluster, f"select count(*) from runs where run_body like '%{cluster.broker_password}%'")
    assert leaked == 0, "the broker's password is in Dagster's storage"


def query_dagster(cluster: Cluster, sql: str) -> int:
    return query(cluster.env["DAGSTER_PG_DB"], sql)[0][0]


class RequestTimes:
    """A simulator hook that notes when each request of one API came (and lets it through)."""

    def __init__(self, api: str):
        self.api, self.times = api, []

    def __call__(self, ctx: HookContext) -> None:
        if ctx.api == self.api:
            self.times.append(time.monotonic())

    def most_in_one_second(self) -> int:
        times = sorted(self.times)
        return max((sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times)), default=0)


def test_two_runs_of_one_api_launched_at_once_never_sync_it_at_once(cluster, loaded):
    """Each API's step is in the pool `<api>_api` (limit 1, run granularity): the second run waits in the queue
    while two idle workers could have taken both, so the API's request budget, which lives in its one step's
    process, is the budget of the whole cluster."""
    requests = RequestTimes("workhub")
    cluster.sim.hooks.append(requests)
    try:
        first, second = (cluster.ui.launch(api_keys("workhub")) for _ in range(2))
        seen, deadline = set(), time.monotonic() + 300
        while not set(statuses := (cluster.ui.run(first)["status"], cluster.ui.run(second)["status"])) <= FINISHED:
            assert time.monotonic() < deadline, statuses
            seen.add(statuses)
            time.sleep(0.3)
    finally:
        cluster.sim.hooks.remove(requests)
    first_run, second_run = cluster.ui.wait(first), cluster.ui.wait(second)

    assert second_run["startTime"] >= first_run["endTime"], (first_run, second_run)
    assert ("STARTED", "QUEUED") in seen, f"the second waited in the queue: {seen}"
    (first_window,) = cluster.step_windows(first).values()
    (second_window,) = cluster.step_windows(second).values()
    assert first_window[1] <= second_window[0], "the two syncs of workhub overlapped"
    assert len(requests.times) >= 2 * 9
    assert requests.most_in_one_second() <= WORKHUB_REQUESTS_PER_SECOND + 1, "workhub's budget held across workers"


def test_redis_as_the_broker_and_the_backend(cluster, loaded):
    """The profile's other broker: a worker and a run (the CLI's, as `dagster asset materialize` orchestrates one)
    that meet on Redis instead of RabbitMQ, on the same instance and warehouse."""
    redis = f"redis://{cluster.network.gateway}:6379/{REDIS_DB}"
    settings = {"REST_ASSETS_CELERY_BROKER": redis, "REST_ASSETS_CELERY_BACKEND": redis}
    worker = cluster.start_worker(cluster.network.hosts[0], name="redis", settings=settings)
    try:  # the run's step waits in Redis until the worker is up
        first = cluster.sim.expected_rows("taskrouter", "workspaces")[0]["sid"]
        cluster.sim.update_rows("taskrouter", "workspaces", [first], {"friendly_name": "Synced through Redis"})
        done = subprocess.run([str(BIN / "dagster"), "asset", "materialize", "-m", "rest_assets.definitions",
                               "--select", "group:taskrouter"], cwd=REPO_ROOT, capture_output=True, text=True,
                              env={**cluster.host_env("control"), **settings}, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:] + tail(worker.log)
    finally:
        cluster.stop(worker)
    (run,) = cluster.instance.get_runs(limit=1)
    assert [(step, name) for step, name, _ in cluster.step_workers(run.run_id)] == [("taskrouter_sync", "redis@host1")]
    taskrouter = {table: n for table, n in sim_counts(cluster.sim).items() if table.startswith("taskrouter.")}
    assert table_counts(cluster.warehouse, taskrouter) == taskrouter
    assert query(cluster.warehouse, "select sid from taskrouter.workspaces where friendly_name = "
                                    "'Synced through Redis'") == [(first,)]


class SlowPages:
    """A simulator hook that holds each answer of one API for `seconds`, and says when its first request came."""

    def __init__(self, api: str, seconds: float):
        self.api, self.seconds, self.first = api, seconds, threading.Event()

    def __call__(self, ctx: HookContext):
        if ctx.api != self.api:
            return None
        self.first.set()
        return dataclasses.replace(ctx.normal(), delay_seconds=self.seconds)


def logged_time(database: str) -> dict[int, int]:
    """resourcing.logged_time in the warehouse: id -> minutes."""
    return dict(query(database, "select id, minutes from resourcing.logged_time"))


def wait_for_step_on_a_worker(cluster: Cluster, run_id: str, seconds: float = 120) -> tuple[str, str, float]:
    deadline = time.monotonic() + seconds
    while not (started := cluster.step_workers(run_id)):
        assert time.monotonic() < deadline, f"no worker began a step of {run_id} in {seconds} s"
        time.sleep(0.1)
    return started[0]


def test_a_worker_killed_mid_sync_leaves_the_warehouse_exact_once_another_runs_its_step(cluster, loaded):
    """SIGKILL to the worker syncing resourcing, after its first request: RabbitMQ gets the step's task back when
    the worker's connection closes (`task_acks_late`), the other worker runs the step from the start, from the
    cursor in the warehouse, and the run succeeds. Nothing of the dead attempt reached the warehouse."""
    sim, database = cluster.sim, cluster.warehouse
    cursor_before, rows_before = logged_time_cursor(database), logged_time(database)
    assert cursor_before == max(row["modified"] for row in sim.expected_rows("resourcing", "logged_time"))
    sim.update_rows("resourcing", "logged_time", [3, 500, 999], {"minutes": 4242})
    added = sim.add_rows("resourcing", "logged_time", 5)
    slow = SlowPages("resourcing", 0.3)
    sim.hooks.append(slow)
    try:
        run_id = cluster.ui.launch(api_keys("resourcing"))
        assert slow.first.wait(180), "the sync never asked for a page"
        step, victim, _ = wait_for_step_on_a_worker(cluster, run_id)
        killed_at = cluster.kill(cluster.workers[victim])
        rows_after_kill, cursor_after_kill = logged_time(database), logged_time_cursor(database)
        run = cluster.ui.wait(run_id, seconds=300)
    finally:
        sim.hooks.remove(slow)

    attempts = [(worker, when) for s, worker, when in cluster.step_workers(run_id) if s == step]
    (survivor,) = set(cluster.workers)
    assert [worker for worker, _ in attempts] == [victim, survivor], attempts
    redelivered_after = attempts[1][1] - killed_at
    assert redelivered_after <= 2 * CELERY_HEARTBEAT_SECONDS, f"the step waited {redelivered_after:.1f} s for a worker"
    assert (rows_after_kill, cursor_after_kill) == (rows_before, cursor_before), "the dead attempt loaded nothing"

    landed = logged_time(database)
    expected = {row["id"]: row["minutes"] for row in sim.expected_rows("resourcing", "logged_time")}
    assert landed == expected and set(added) <= set(landed) and {landed[i] for i in (3, 500, 999)} == {4242}
    counts = sim_counts(sim)
    resourcing = {table: n for table, n in counts.items() if table.startswith("resourcing.")}
    assert table_counts(database, resourcing) == resourcing, "no lost rows"
    assert set(duplicate_keys(database, "resourcing").values()) == {0}, "no duplicate keys"
    assert logged_time_cursor(database) == max(row["modified"] for row in sim.expected_rows("resourcing", "logged_time"))
    host = cluster.workers[survivor].host.name
    assert list((cluster.root / host / "data" / "dlt").iterdir()) == []
    victim_host = victim.partition("@")[2]
    assert list((cluster.root / victim_host / "data" / "dlt").iterdir()), "the dead attempt's folder stayed on its host"
    print(f"\nkilled {victim} mid-sync of {step}: resourcing.logged_time {len(rows_before)} rows before, "
          f"{len(rows_after_kill)} after the kill, {len(landed)} after the run (the API: {len(expected)}); duplicate keys "
          f"0; step given to {survivor} {redelivered_after:.1f} s after the kill; run ended "
          f"{run['endTime'] - killed_at:.1f} s after the kill, {run['status']}")


def test_a_run_whose_workers_all_died_ends_by_its_max_runtime_and_its_retry_lands_exactly(cluster, loaded):
    """The last workers killed mid-sync, none left to take the step: run monitoring ends the run at its `dagster/max_runtime` (plus one of
    its polls), the daemon retries it (run_retries, deploy/dagster.yaml), and once workers are back the dead
    run's step, which the broker still holds, is skipped, while the retry's lands every row."""
    sim, database = cluster.sim, cluster.warehouse
    sim.update_rows("agency", "clients", [2, 7], {"name": "Renamed upstream"})
    slow = SlowPages("agency", 0.3)
    sim.hooks.append(slow)
    try:
        run_id = cluster.ui.launch(api_keys("agency"), tags={"dagster/max_runtime": str(MAX_RUNTIME_SECONDS)})
        assert slow.first.wait(180), "the sync never asked for a page"
        wait_for_step_on_a_worker(cluster, run_id)
        killed_at = min(cluster.kill(worker) for worker in list(cluster.workers.values()))
    finally:
        sim.hooks.remove(slow)
    run = cluster.ui.wait(run_id, seconds=MAX_RUNTIME_SECONDS + 120, status="FAILURE")
    ran_for = run["endTime"] - run["startTime"]
    assert ran_for <= MAX_RUNTIME_SECONDS + MONITORING_POLL_SECONDS + TERMINATION_SECONDS, ran_for

    workers = [cluster.start_worker(host) for host in cluster.network.hosts]  # every host back
    retry_id = wait_for_retry(cluster, run_id)
    cluster.ui.wait(retry_id, seconds=300)
    cluster.wait_until_ready(*workers)
    skipped = [m for m in cluster.engine_messages(run_id) if m.startswith("Skipping step agency_sync")]
    assert skipped, "the dead run's step was skipped when a worker took it"
    agency = {table: n for table, n in sim_counts(sim).items() if table.startswith("agency.")}
    assert table_counts(database, agency) == agency
    assert set(duplicate_keys(database, "agency").values()) == {0}
    assert query(database, "select id from agency.clients where name = 'Renamed upstream' order by id") == [(2,), (7,)]
    print(f"\nall workers killed mid-sync of agency: the run ended {run['endTime'] - killed_at:.1f} s after the kill, "
          f"{ran_for:.1f} s after it started (bound {MAX_RUNTIME_SECONDS} + {MONITORING_POLL_SECONDS} s); its retry "
          f"{retry_id} succeeded")


def wait_for_retry(cluster: Cluster, run_id: str, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while not (retries := cluster.instance.get_runs(filters=RunsFilter(tags={"dagster/parent_run_id": run_id}))):
        assert time.monotonic() < deadline, f"the daemon did not retry {run_id} within {seconds} s"
        time.sleep(0.5)
    return retries[0].run_id
