"""Times `generate_demo` for both demo tenants at 400 days: median of 3 runs, rows per table.

.venv/bin/python bench/bench_demo_generation.py [--days 400] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from kg_service.warehouse.demo import DemoSummary, generate_demo
from kg_service.warehouse.duckdb_files import TenantFiles

TENANTS = ("rare_seeds", "acme")
END = date(2026, 9, 30)


def time_tenant(files: TenantFiles, tenant: str, days: int, runs: int) -> tuple[float, DemoSummary]:
    seconds = []
    summary = None
    for _ in range(runs):
        started = time.perf_counter()
        summary = generate_demo(files, tenant, days=days, end=END)
        seconds.append(time.perf_counter() - started)
    assert summary is not None
    return statistics.median(seconds), summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        files = TenantFiles(Path(directory))
        for tenant in TENANTS:
            seconds, summary = time_tenant(files, tenant, args.days, args.runs)
            size = files.path(tenant).stat().st_size / 1e6
            print(
                f"{tenant}: {summary.days} days, {sum(summary.rows.values()):,} rows, "
                f"median {seconds:.2f} s of {args.runs}, file {size:.1f} MB"
            )
            for table, rows in summary.rows.items():
                print(f"  {table:40s} {rows:>9,}")
        files.close()


if __name__ == "__main__":
    main()
