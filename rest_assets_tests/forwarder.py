"""`python -m rest_assets_tests.forwarder ADDRESS PORT=TARGET_HOST:TARGET_PORT ...`: TCP forwarding.

The machine's RabbitMQ, Redis and PostgreSQL listen on loopback only, which a test host (a network
namespace) cannot reach. This listens on the host side of the test network, one port per service, and
relays each connection to the service on loopback: a connection the far side closes or resets is
closed on the other side too, so a killed worker's broker connection ends at once, as on a real
network. Prints `ready` once every port listens; runs until killed.
"""

from __future__ import annotations

import asyncio
import sys

CHUNK = 256 * 1024


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


def _relay(target_host: str, target_port: int):
    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            service_reader, service_writer = await asyncio.open_connection(target_host, target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, service_writer), _pipe(service_reader, client_writer))

    return handle


async def serve(address: str, routes: dict[int, tuple[str, int]]) -> None:
    servers = [await asyncio.start_server(_relay(*target), address, port, reuse_address=True)
               for port, target in routes.items()]
    print("ready", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


def parse_route(text: str) -> tuple[int, tuple[str, int]]:
    port, _, target = text.partition("=")
    host, _, target_port = target.rpartition(":")
    return int(port), (host, int(target_port))


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], dict(parse_route(route) for route in sys.argv[2:])))
