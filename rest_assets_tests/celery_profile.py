"""What the Celery profile's tests (test_distributed.py) and benchmark (bench/distributed.py) share: the machine's
services it needs (RabbitMQ, Redis, PostgreSQL on loopback; each required, never skipped), a RabbitMQ vhost of
their own, and which worker ran each step of a run."""

from __future__ import annotations

import contextlib
import secrets
import socket
import subprocess
from typing import Iterator

from dagster import DagsterEventType, DagsterInstance

SERVICES = {  # what the Celery profile needs on this machine: its port on loopback, and how to start it
    "RabbitMQ": (5672, "service rabbitmq-server start"),
    "Redis": (6379, "service redis-server start"),
    "PostgreSQL": (5432, "service postgresql start"),
}


class ServiceMissing(RuntimeError):
    """A service is not there: the message names it and how to start it."""


def require_services() -> None:
    for name, (port, start) in SERVICES.items():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=3).close()
        except OSError as error:
            raise ServiceMissing(f"{name} is not listening on 127.0.0.1:{port} ({error}); the Celery profile's "
                                 f"tests and benchmark need it: start it with `{SERVICES[name][1]}`") from None


def rabbitmqctl(*args: str) -> None:
    try:
        done = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise ServiceMissing("rabbitmqctl is missing: a vhost and user of our own are made with it (Debian's "
                             "rabbitmq-server package)") from None
    if done.returncode != 0:
        raise ServiceMissing(f"rabbitmqctl {args[0]} failed: {(done.stderr or done.stdout).strip()}; is RabbitMQ "
                             f"running (`{SERVICES['RabbitMQ'][1]}`)?")


@contextlib.contextmanager
def rabbitmq_vhost(name: str) -> Iterator[tuple[str, str]]:
    """A vhost and a user of that name, with a random password: no other program's workers take our steps."""
    password = secrets.token_hex(12)
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("add_user", name, password)
        rabbitmqctl("set_permissions", "-p", name, name, ".*", ".*", ".*")
        yield name, password
    finally:
        subprocess.run(["rabbitmqctl", "delete_user", name], capture_output=True)
        subprocess.run(["rabbitmqctl", "delete_vhost", name], capture_output=True)


def step_workers(instance: DagsterInstance, run_id: str) -> list[tuple[str, str, float]]:
    """(step, worker, when) of each time a Celery worker began a step of the run: dagster-celery's engine event
    names the worker (`Celery worker`: its node name, `<name>@<host>`)."""
    found = []
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT):
        data = entry.dagster_event.event_specific_data
        worker = data.metadata.get("Celery worker") if data is not None else None
        if worker is not None:
            found.append((entry.step_key, worker.value, entry.timestamp))
    return found
