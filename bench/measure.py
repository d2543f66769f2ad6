"""`python -m bench.measure --out FILE [--timeout S] -- COMMAND...`: run one contender and measure it.

A tiny stdlib-only wrapper process, so that `getrusage(RUSAGE_CHILDREN)` covers exactly
the contender and its descendants. The wrapper is a child subreaper: Dagster's step
processes are forked by a forkserver that outlives the CLI, and would otherwise be
reaped by init, their CPU and memory lost to the measurement.

- wall time (monotonic, from spawn to exit),
- peak RSS of the largest single process (`ru_maxrss` of the reaped tree: each Dagster
  step's own peak, not the sum over steps),
- peak RSS of the whole process tree, summed over live descendants, sampled every 0.2 s,
- user + system CPU seconds of the tree,
- exit code, or `timed_out` (the process group is sent SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process instead of init, so it can reap them."""
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap_orphans(deadline_s: float) -> int:
    """Wait for the descendants that outlived the contender (a forkserver exits when its parent does)."""
    reaped, give_up = 0, time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid:
            reaped += 1
        else:
            time.sleep(0.05)
    return reaped


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids.extend(int(k) for k in f.read().split())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return kids


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return 0


def tree_rss(root: int) -> tuple[int, int]:
    """(sum of RSS over the process tree under root, number of processes)."""
    total, count, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_bytes(pid)
        count += 1
        todo.extend(_children(pid))
    return total, count


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="python -m bench.measure")
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--log", default=None, help="file for the contender's stdout and stderr")
    parser.add_argument("--interval", type=float, default=0.2)
    args = parser.parse_args(argv[:split])
    command = argv[split + 1 :]

    log = open(args.log, "w") if args.log else subprocess.DEVNULL
    become_subreaper()
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    peak = {"tree_rss": 0, "processes": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(args.interval):
            rss, count = tree_rss(process.pid)
            peak["tree_rss"] = max(peak["tree_rss"], rss)
            peak["processes"] = max(peak["processes"], count)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timed_out = False
    try:
        returncode = process.wait(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(process.pid, signal.SIGTERM)
        try:
            returncode = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            returncode = process.wait()
    wall = time.monotonic() - started
    done.set()
    sampler.join()
    orphans = reap_orphans(deadline_s=30)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "command": command,
        "returncode": returncode,
        "timed_out": timed_out,
        "wall_s": round(wall, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        "peak_tree_rss_mb": round(peak["tree_rss"] / 2**20, 1),
        "max_processes": peak["processes"],
        "orphans_reaped": orphans,
        "cpu_user_s": round(usage.ru_utime, 2),
        "cpu_system_s": round(usage.ru_stime, 2),
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
