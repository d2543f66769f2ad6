"""Test hosts: network namespaces, each its own IP on a veth pair, joined by a bridge on this machine.

    with hosts_network(2) as network:
        network.gateway                   # this machine's address on the bridge, e.g. 10.200.7.1
        network.hosts[0].address          # 10.200.7.2
        network.hosts[0].command(argv)    # argv, run inside that host's namespace

Nothing listening on loopback is reachable from a host: services are offered to them on the gateway
(`network.forward`, or a server bound to `network.gateway`). Where namespaces cannot be made (no
CAP_NET_ADMIN), the hosts are plain processes on loopback, and `network.isolated` says so.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from rest_assets_tests.conftest import REPO_ROOT, start_service, stop_service

SUBNETS = ipaddress.ip_network("10.200.0.0/16")


@dataclass(frozen=True)
class Host:
    name: str
    address: str
    namespace: str | None = None  # None where the hosts are processes on loopback

    def command(self, argv: Sequence[str]) -> list[str]:
        """`argv` run on this host: `ip netns exec` enters the namespace and execs it (same pid)."""
        return ["ip", "netns", "exec", self.namespace, *argv] if self.namespace else list(argv)


@dataclass
class Network:
    gateway: str
    hosts: list[Host]
    isolated: bool
    why_not_isolated: str = ""
    _services: ExitStack = field(default_factory=ExitStack)

    def forward(self, targets: dict[int, int]) -> None:
        """Offer loopback services to the hosts: gateway port -> 127.0.0.1 port, until the network goes."""
        if not self.isolated:
            return
        routes = [f"{port}=127.0.0.1:{target}" for port, target in targets.items()]
        forwarder = start_service([sys.executable, "-m", "rest_assets_tests.forwarder", self.gateway, *routes],
                                  cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
        self._services.callback(stop_service, forwarder, 5)
        assert forwarder.stdout.readline().strip() == "ready", "the forwarder did not start"


@contextmanager
def hosts_network(count: int, label: str = "ra") -> Iterator[Network]:
    """`count` hosts on a bridge of their own, in a /24 of 10.200.0.0/16 that no interface uses yet."""
    tag = f"{label}{os.getpid() % 100000}"
    bridge = f"{tag}br"
    with ExitStack() as cleanup:
        try:
            subnet = _free_subnet()
            gateway = str(subnet.network_address + 1)
            _ip("link", "add", bridge, "type", "bridge")
            cleanup.callback(_ip_quietly, "link", "del", bridge)
            _ip("addr", "add", f"{gateway}/24", "dev", bridge)
            _ip("link", "set", bridge, "up")
            hosts = []
            for number in range(1, count + 1):
                namespace, veth = f"{tag}-host{number}", f"{tag}v{number}"
                address = str(subnet.network_address + 1 + number)
                _ip("netns", "add", namespace)
                cleanup.callback(_ip_quietly, "netns", "del", namespace)  # takes its end of the pair with it
                _ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace)
                _ip("link", "set", veth, "master", bridge)
                _ip("link", "set", veth, "up")
                _ip("-n", namespace, "addr", "add", f"{address}/24", "dev", "eth0")
                _ip("-n", namespace, "link", "set", "eth0", "up")
                _ip("-n", namespace, "link", "set", "lo", "up")
                _ip("-n", namespace, "route", "add", "default", "via", gateway)
                hosts.append(Host(f"host{number}", address, namespace))
            network = Network(gateway, hosts, isolated=True)
        except (subprocess.CalledProcessError, FileNotFoundError) as error:
            cleanup.close()
            reason = error.stderr.strip() if isinstance(error, subprocess.CalledProcessError) else str(error)
            network = Network("127.0.0.1", [Host(f"host{n}", "127.0.0.1") for n in range(1, count + 1)],
                              isolated=False, why_not_isolated=f"network namespaces could not be made here ({reason})")
        with network._services:
            yield network


def _free_subnet() -> ipaddress.IPv4Network:
    used = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True, check=True).stdout
    taken = {ipaddress.ip_interface(word).network for word in used.split() if "/" in word and word[0].isdigit()}
    subnets = list(SUBNETS.subnets(new_prefix=24))
    start = os.getpid() % len(subnets)  # two test runs at once start their search in different places
    for offset in range(len(subnets)):
        subnet = subnets[(start + offset) % len(subnets)]
        if not any(subnet.overlaps(network) for network in taken):
            return subnet
    raise RuntimeError("no free /24 in 10.200.0.0/16 for the test network")


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], capture_output=True, text=True, check=True)


def _ip_quietly(*args: str) -> None:
    subprocess.run(["ip", *args], capture_output=True)
