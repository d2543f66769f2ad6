"""One settings surface: rest_assets/settings.py lists every variable the project reads, and the README the same."""

from __future__ import annotations

import re

from rest_assets import settings
from rest_assets_tests.conftest import REPO_ROOT

HTTP_PREFIX = "REST_ASSETS_HTTP_"  # REST_ASSETS_HTTP_<FIELD>: one setting per HttpPolicy field


def test_the_readme_table_lists_the_settings_as_settings_py_does():
    section = (REPO_ROOT / "README.md").read_text().split("\n## Settings\n")[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [setting.name for setting in settings.SETTINGS]
    for row, setting in zip(rows, settings.SETTINGS):
        assert f"| {setting.read_at} |" in row, row


def test_the_package_reads_no_setting_that_settings_py_does_not_list():
    sources = [path for path in (REPO_ROOT / "rest_assets").rglob("*.py") if path.name != "settings.py"]
    named = {name for path in sources for name in re.findall(r"REST_ASSETS_[A-Z_]+", path.read_text())}
    listed = {setting.name for setting in settings.SETTINGS}
    assert {name for name in named if not name.startswith(HTTP_PREFIX)} <= listed
    assert not [path for path in sources if "os.environ" in path.read_text() or "getenv(" in path.read_text()], (
        "read settings through rest_assets/settings.py")
