"""The dashboard's files as served: every module preloaded, ECharts vendored with its licence."""

from __future__ import annotations

import json
import re

from .conftest import ROOT

WEB = ROOT / "web"


def test_index_preloads_every_module_once() -> None:
    html = (WEB / "index.html").read_text()
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)
    modules = sorted(str(p.relative_to(WEB)) for p in (WEB / "js").rglob("*.js"))
    assert sorted(preloaded) == modules


def test_echarts_is_vendored_at_the_pinned_version_with_its_licence() -> None:
    pinned = json.loads((WEB / "package.json").read_text())["dependencies"]["echarts"]
    bundle = (WEB / "vendor" / "echarts.esm.min.js").read_text()
    assert f'"{pinned}"' in bundle, f"vendor/echarts.esm.min.js is not ECharts {pinned}: run `npm run vendor`"
    assert "Apache License" in (WEB / "vendor" / "echarts.LICENSE").read_text()
    assert (WEB / "vendor" / "echarts.NOTICE").exists()
