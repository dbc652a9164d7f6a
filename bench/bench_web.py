"""Dashboard page loads in headless Chromium: navigation start → the page's first data rendered.

"Interactive" is the moment the app sets `data-ready` on <html> (and marks `miq-ready:<page>` in the
Performance timeline): the page's first data is on screen (home: the thoughts feed; a dashboard: its
metric cards with values). A dashboard's sparklines finish after that; their `miq-drawn:<page>` mark
is reported too. Every load opens a fresh browser context: empty cache and sessionStorage, so each
one fetches the modules and ECharts.

Target: p95 ≤ 1 s for home and a dashboard, 20 loads each.
Run (needs Neo4j and Debian's chromium; starts its own `kg-service serve` in development mode):
  . /tmp/kgdev/env.sh && .venv/bin/python bench/bench_web.py
or against a running development server: .venv/bin/python bench/bench_web.py --url http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KG = str(Path(sys.executable).parent / "kg-service")
PAGES = {"home": ("#/", "home"), "dashboard": ("#/dashboards/core_performance", "dashboard")}
TARGET_MS = 1000.0


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def own_server() -> Iterator[str]:
    """`kg-service serve` in development mode over acme's demo data, with a private Redis."""
    work = Path(tempfile.mkdtemp(prefix="kg-bench-web-"))
    port, redis_port = free_port(), free_port()
    env = {
        **os.environ,
        "KG_ENV": "development",
        "KG_DATA_DIR": str(work / "data"),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "KG_API_RATE_LIMIT_PER_MIN": "100000",
        "KG_API_CORS_ORIGINS": f"http://127.0.0.1:{port}",
    }
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--dir",
                    str(work),
                ],
                stdout=subprocess.DEVNULL,
            )
        )
        for args in (["demo-data", "--tenant", "acme"], ["seed", "--tenant", "acme"]):
            subprocess.run([KG, *args], env=env, check=True, capture_output=True)
        processes.append(
            subprocess.Popen(
                [KG, "serve", "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
        )
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url)
        if not active_thoughts(url):
            subprocess.run(
                [KG, "thoughts", "generate", "--tenant", "acme"], env=env, check=True, capture_output=True
            )
        yield url
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)
        shutil.rmtree(work, ignore_errors=True)


def wait_healthy(url: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not become healthy")


def token(url: str) -> str:
    answer = httpx.post(f"{url}/dev/token", json={"tenant": "acme", "role": "ANALYST"}, timeout=10)
    answer.raise_for_status()
    value: str = answer.json()["token"]
    return value


def active_thoughts(url: str) -> int:
    body = httpx.post(
        f"{url}/graphql",
        json={"query": "{ thoughts { id } }"},
        headers={"authorization": f"Bearer {token(url)}"},
    ).json()
    return len(body["data"]["thoughts"])


TIMINGS = """async (ready) => {
  const mark = (name) => performance.getEntriesByName(name)[0];
  for (let waited = 0; !mark(`miq-drawn:${ready}`) && waited < 10000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const at = mark(`miq-ready:${ready}`).startTime;
  const api = performance.getEntriesByType('resource')
    .filter((r) => r.name.endsWith('/graphql') && r.startTime < at);
  return {
    ready: at,
    drawn: mark(`miq-drawn:${ready}`) ? mark(`miq-drawn:${ready}`).startTime : NaN,
    modules: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
    api: api.reduce((sum, r) => sum + r.duration, 0),
  };
}"""


def load(browser: Browser, url: str, bearer: str, route: str, ready: str) -> dict[str, float]:
    """One cold load: ms to `ready`, to DOMContentLoaded (HTML and modules), and spent in /graphql."""
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    try:
        context.add_init_script(f"sessionStorage.setItem('miq.token', {bearer!r});")
        page = context.new_page()
        page.goto(f"/{route}")
        page.locator(f"html[data-ready={ready}]").wait_for(state="attached", timeout=30_000)
        timings: dict[str, float] = page.evaluate(TIMINGS, ready)
        return timings
    finally:
        context.close()


def report(name: str, loads: list[dict[str, float]]) -> None:
    samples = [t["ready"] for t in loads]
    p50, p95 = statistics.median(samples), percentile(samples, 95)
    verdict = "meets" if p95 <= TARGET_MS else "MISSES"
    print(
        f"{name:<10} n={len(samples)}  p50={p50:6.0f} ms  p95={p95:6.0f} ms  max={max(samples):6.0f} ms  "
        f"(target p95 ≤ {TARGET_MS:.0f} ms: {verdict})"
    )
    modules = statistics.median(t["modules"] for t in loads)
    api = statistics.median(t["api"] for t in loads)
    line = f"{'':<10} medians: HTML+modules {modules:4.0f} ms, in /graphql requests {api:4.0f} ms"
    drawn = [t["drawn"] for t in loads if t["drawn"] == t["drawn"]]
    if drawn:
        line += f"; charts drawn p50 {statistics.median(drawn):4.0f} ms, p95 {percentile(drawn, 95):4.0f} ms"
    print(line)


def measure(url: str, loads: int) -> None:
    bearer = token(url)
    print(f"server {url}; {loads} cold loads per page (fresh context each), headless {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, (route, ready) in PAGES.items():
                load(browser, url, bearer, route, ready)  # warm the server's caches
                report(name, [load(browser, url, bearer, route, ready) for _ in range(loads)])
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running development server (default: start one)")
    parser.add_argument("--loads", type=int, default=20)
    args = parser.parse_args()
    if args.url:
        measure(args.url.rstrip("/"), args.loads)
        return
    with own_server() as url:
        measure(url, args.loads)


if __name__ == "__main__":
    main()
