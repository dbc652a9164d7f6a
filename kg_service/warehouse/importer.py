"""Importing metric values from CSV or Parquet (long format), all or nothing.

Columns: `metric_id,date,value` and optionally `dimension,dimension_value` (dimension `campaign`).
Every row is checked before anything is written; a file with any bad row is refused whole, with a
report naming each offending row (its line in a CSV) and field.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from kg_service.errors import InvalidInput
from kg_service.graph.definitions import Unit
from kg_service.warehouse import transform
from kg_service.warehouse.duckdb_files import TenantFiles

REQUIRED = ("metric_id", "date", "value")
OPTIONAL = ("dimension", "dimension_value")
DIMENSIONS = ("", "campaign")
MAX_REPORTED = 50


class ImportRefused(InvalidInput):
    code = "IMPORT_REFUSED"

    def __init__(self, file: Path, problems: list[str]) -> None:
        shown = problems[:MAX_REPORTED]
        more = f"\n  … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(
            f"{file}: refused, nothing was written ({len(problems)} problems):\n  "
            + "\n  ".join(shown)
            + more
        )
        self.problems = problems


@dataclass(frozen=True)
class ImportRow:
    metric_id: str
    date: date
    value: float
    dimension: str
    dimension_value: str


def _read_rows(path: Path) -> tuple[list[str], list[tuple[str | None, ...]], int]:
    """The column names, every row as text, and the line of the first data row (0 for Parquet)."""
    suffix = path.suffix.lower()
    connection = duckdb.connect(":memory:")
    try:
        if suffix == ".csv":
            relation = connection.read_csv(str(path), all_varchar=True, header=True)
            first_line = 2
        elif suffix in (".parquet", ".pq"):
            relation = connection.read_parquet(str(path))
            relation = relation.select(
                ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in relation.columns)
            )
            first_line = 0
        else:
            raise InvalidInput(f"{path}: unsupported file type {suffix!r} (use .csv or .parquet)")
        return list(relation.columns), relation.fetchall(), first_line
    except duckdb.Error as exc:
        raise InvalidInput(f"{path}: cannot be read: {exc}") from exc
    finally:
        connection.close()


def _where(index: int, first_line: int) -> str:
    return f"line {index + first_line}" if first_line else f"row {index + 1}"


def _parse_row(
    raw: dict[str, str | None], units: dict[str, Unit], where: str, problems: list[str]
) -> ImportRow | None:
    errors_before = len(problems)
    metric_id = (raw.get("metric_id") or "").strip()
    if metric_id not in units:
        problems.append(f"{where}: metric_id: unknown metric {metric_id!r}")
    try:
        day = date.fromisoformat((raw.get("date") or "").strip())
    except ValueError:
        problems.append(f"{where}: date: {raw.get('date')!r} is not a date (YYYY-MM-DD)")
    try:
        value = float((raw.get("value") or "").strip())
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        problems.append(f"{where}: value: {raw.get('value')!r} is not a finite number")
    else:
        unit = units.get(metric_id)
        if unit is not None and value < 0 and not unit.allows_negative:
            problems.append(f"{where}: value: {value} is negative, which a {unit.value} metric cannot be")
    dimension = (raw.get("dimension") or "").strip()
    dimension_value = (raw.get("dimension_value") or "").strip()
    if dimension not in DIMENSIONS:
        problems.append(f"{where}: dimension: {dimension!r} is not one of {list(DIMENSIONS)}")
    elif bool(dimension) != bool(dimension_value):
        problems.append(f"{where}: dimension_value: needed exactly when dimension is set")
    if len(problems) > errors_before:
        return None
    return ImportRow(metric_id, day, value, dimension, dimension_value)


def parse_file(path: Path, units: dict[str, Unit]) -> list[ImportRow]:
    """Every row of the file, or `ImportRefused` listing every problem."""
    columns, rows, first_line = _read_rows(path)
    missing = [c for c in REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        header = [f"header: missing column {c!r}" for c in missing]
        raise ImportRefused(path, header + [f"header: unknown column {c!r}" for c in unknown])
    if not rows:
        raise ImportRefused(path, ["the file holds no rows"])
    problems: list[str] = []
    parsed: list[ImportRow] = []
    seen: dict[tuple[str, date, str, str], list[int]] = defaultdict(list)
    for index, values in enumerate(rows):
        row = _parse_row(dict(zip(columns, values, strict=True)), units, _where(index, first_line), problems)
        if row is not None:
            parsed.append(row)
            seen[(row.metric_id, row.date, row.dimension, row.dimension_value)].append(index)
    for key, indexes in seen.items():
        if len(indexes) > 1:
            lines = ", ".join(_where(i, first_line) for i in indexes)
            problems.append(
                f"{lines}: duplicate rows for {key[0]} on {key[1]}" + (f" ({key[3]})" if key[3] else "")
            )
    if problems:
        raise ImportRefused(path, problems)
    return parsed


_INSERT = """
INSERT OR REPLACE INTO analytics.imported_values
    (metric_id, date, dimension, dimension_value, value, imported_at)
SELECT metric_id, date, dimension, dimension_value, value, ? FROM incoming
"""


def import_values(files: TenantFiles, tenant: str, path: Path, units: dict[str, Unit]) -> int:
    """Validates the whole file, then writes it and re-materialises values in one snapshot swap."""
    rows = parse_file(path, units)
    now = datetime.now(UTC).replace(tzinfo=None)
    with files.writer(tenant) as connection:
        for statement in transform.landing_ddl():
            connection.execute(statement)
        incoming = pa.table(
            {
                "metric_id": [r.metric_id for r in rows],
                "date": pa.array([r.date for r in rows], type=pa.date32()),
                "dimension": [r.dimension for r in rows],
                "dimension_value": [r.dimension_value for r in rows],
                "value": pa.array([r.value for r in rows], type=pa.float64()),
            }
        )
        connection.register("incoming", incoming)
        connection.execute(_INSERT, [now])
        connection.unregister("incoming")
        transform.build(connection)
    return len(rows)
