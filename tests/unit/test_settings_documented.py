"""Every setting appears in the README's configuration table; .env.example names only real ones."""

from __future__ import annotations

import re

from kg_service.config import ROOT, environment_variables


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text()
    table = {m.group(1) for m in re.finditer(r"^\|\s*`([A-Z0-9_]+)`\s*\|", readme, re.MULTILINE)}
    missing = sorted(set(environment_variables()) - table)
    assert not missing, f"settings missing from the README's configuration table: {missing}"
    unknown = sorted(table - set(environment_variables()))
    assert not unknown, f"README documents settings that do not exist: {unknown}"


def test_env_example_names_only_real_settings() -> None:
    names = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert names and names <= set(environment_variables())
