"""Every ``RIVALSCOPE_*`` setting is read from the environment in one place, with its
default (config/settings/base.py), used by name without a second default, and listed
in the README's configuration table."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"\bRIVALSCOPE_[A-Z0-9_]*[A-Z0-9]\b")


def _code_files() -> list[Path]:
    return [p for folder in ("intel", "config") for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]


def test_every_setting_the_code_reads_is_defined_with_its_default():
    used = {name for path in _code_files() for name in NAME.findall(path.read_text())}
    # Read by the quick start's scripts and commands from the environment, not settings.
    environment_only = {"RIVALSCOPE_ADMIN_USER", "RIVALSCOPE_ADMIN_PASSWORD", "RIVALSCOPE_VAR_DIR"}
    undefined = sorted(name for name in used - environment_only if not hasattr(settings, name))
    assert undefined == []


def test_no_call_site_repeats_a_default():
    repeated = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _code_files()
        if path.name != "base.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"getattr\(settings, \"RIVALSCOPE_", line)
    ]
    assert repeated == []


def test_every_setting_is_in_the_readme_table():
    base = (ROOT / "config" / "settings" / "base.py").read_text()
    defined = set(re.findall(r"^(RIVALSCOPE_[A-Z0-9_]+) = env\.", base, flags=re.MULTILINE))
    readme = (ROOT / "README.md").read_text()
    table = "\n".join(line for line in readme.splitlines() if line.startswith("| `"))
    assert sorted(name for name in defined if name not in table) == []
