#!/usr/bin/env python3
"""Project tasks that need nothing but Python 3.11+.

    python3 dev.py demo     # create .venv, install, sync all 43 assets from the simulator, print row counts
    python3 dev.py test     # the whole test suite (extra arguments go to pytest)
    python3 dev.py sim      # run the simulator in the foreground and print its env vars
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
TASKS = {
    "demo": ["-m", "rest_assets_sim.demo"],
    "test": ["-m", "pytest"],
    "sim": ["-m", "rest_assets_sim"],
    "bench": ["-m", "bench"],
}


def ensure_venv() -> None:
    """Create .venv and install the project into it, again whenever pyproject.toml changes."""
    stamp = VENV / ".installed-from"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    if not PYTHON.exists():
        print("creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("installing rest_assets and its dependencies into .venv ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    for args in (["--upgrade", "pip"], ["-e", f"{ROOT}[dev]"]):
        done = subprocess.run([*pip, *args], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"pip install {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    stamp.write_text(wanted)


def main() -> None:
    if sys.version_info < (3, 11):
        sys.exit("rest_assets needs Python 3.11 or newer")
    task = sys.argv[1] if len(sys.argv) > 1 else ""
    if task not in TASKS:
        sys.exit(__doc__)
    ensure_venv()
    os.chdir(ROOT)
    os.execv(PYTHON, [str(PYTHON), *TASKS[task], *sys.argv[2:]])


if __name__ == "__main__":
    main()
