"""A deadline for each whole answer, however slowly its bytes arrive.

requests' `timeout` bounds each wait for the next bytes, so an answer sent a few bytes at
a time, every gap shorter than the timeout, never times out, and neither requests nor
urllib3 bounds a whole answer. Here each request the transport sends gets a `Deadline`,
from the moment it is sent to the last byte of its answer. One watchdog thread per
process keeps the deadlines of every answer being awaited or read, in a heap: a request
costs a heap push and a flag, never a thread or a timer of its own. When a deadline
passes, the watchdog shuts the connection's socket down, which wakes the thread blocked
reading it with an error at once, headers or body alike; the transport then raises
`ResponseDeadlineExceeded` (errors.py), which dlt retries like any timeout.

The socket is handed over by the connections of the transport's pools
(`watch_connections`): `getresponse()` gives it to the deadline of the request its
thread is sending, which is how a deadline reaches a connection urllib3 picked.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import os
import socket
import threading
import time
from typing import Any

_current = threading.local()  # .deadline: the Deadline of the request this thread is sending


class Deadline:
    """One request's deadline: `passed` once the watchdog has cut its connection off."""

    __slots__ = ("at", "seconds", "passed", "done", "_socket", "_watchdog")

    def __init__(self, watchdog: "Watchdog", seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.passed = False
        self.done = False
        self._socket: Any = None
        self._watchdog = watchdog

    def __enter__(self) -> "Deadline":
        self._watchdog.watch(self)
        _current.deadline = self
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _current.deadline = None
        self._watchdog.forget(self)

    def cut_off_when_due(self, sock: Any) -> None:
        self._watchdog.attach(self, sock)


class Watchdog:
    """The deadlines of a process, earliest first, and the one thread that enforces them."""

    # A heap of (when, sequence, deadline). Deadlines met are marked done and dropped when they
    # reach the top, or all at once when they make up most of the heap.
    _COMPACT_AFTER = 256

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked step process has no watchdog thread yet

    def _reset(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Deadline]] = []
        self._sequence = itertools.count()
        self._done_in_heap = 0
        self._thread: threading.Thread | None = None

    def deadline(self, seconds: float) -> Deadline:
        return Deadline(self, seconds)

    def watch(self, deadline: Deadline) -> None:
        with self._changed:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="rest-assets-response-deadlines", daemon=True)
                self._thread.start()
            heapq.heappush(self._heap, (deadline.at, next(self._sequence), deadline))
            if self._heap[0][2] is deadline:  # earlier than what the thread waits for
                self._changed.notify()

    def attach(self, deadline: Deadline, sock: Any) -> None:
        with self._changed:
            if deadline.passed:
                _shut_down(sock)
            elif not deadline.done:
                deadline._socket = sock

    def forget(self, deadline: Deadline) -> None:
        with self._changed:
            deadline.done, deadline._socket = True, None
            self._done_in_heap += 1
            if self._done_in_heap > self._COMPACT_AFTER and self._done_in_heap * 2 > len(self._heap):
                self._heap = [entry for entry in self._heap if not entry[2].done]
                heapq.heapify(self._heap)
                self._done_in_heap = 0

    def _run(self) -> None:
        with self._changed:
            while True:
                heap = self._heap  # compaction replaces the list
                while heap and heap[0][2].done:
                    heapq.heappop(heap)
                    self._done_in_heap -= 1
                if not heap:
                    self._changed.wait()
                    continue
                wait = heap[0][0] - time.monotonic()
                if wait > 0:
                    self._changed.wait(wait)
                    continue
                _, _, due = heapq.heappop(heap)
                due.passed = True
                if due._socket is not None:
                    _shut_down(due._socket)
                    due._socket = None


def _shut_down(sock: Any) -> None:
    """Wake whoever reads `sock` with end-of-file or an error; the connection is not reused."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed by its reader
        pass


WATCHDOG = Watchdog()


def response_deadline(seconds: float) -> Deadline:
    """`with response_deadline(s) as deadline:` around sending one request and reading its answer."""
    return WATCHDOG.deadline(seconds)


class _DeadlineConnection:
    """A urllib3 connection that hands its socket to the deadline of the request being sent."""

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        deadline = getattr(_current, "deadline", None)
        if deadline is not None and self.sock is not None:  # type: ignore[attr-defined]
            deadline.cut_off_when_due(self.sock)  # type: ignore[attr-defined]
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


@functools.cache
def _watched_pool(pool_class: type) -> type:
    if issubclass(pool_class.ConnectionCls, _DeadlineConnection):
        return pool_class
    connection = type(pool_class.ConnectionCls.__name__, (_DeadlineConnection, pool_class.ConnectionCls), {})
    return type(pool_class.__name__, (pool_class,), {"ConnectionCls": connection})


def watch_connections(manager: Any) -> Any:
    """Make the connections of a urllib3 PoolManager (or ProxyManager) hand their sockets to deadlines."""
    manager.pool_classes_by_scheme = {
        scheme: _watched_pool(pool_class) for scheme, pool_class in manager.pool_classes_by_scheme.items()
    }
    return manager
