"""The warehouse's SQL models, from `sql/`: landing tables, one parts model per metric, views.

`sql/analytics/parts/<metric_id>.sql` is a plain SELECT of `(date, campaign, numerator,
denominator)` rows over the landing tables (or other parts models): a dbt model as it stands. The
templates in `sql/templates/` turn each into `analytics.v_metric_<id>` (date, value) and
`analytics.v_metric_<id>_by_campaign`; `analytics.v_metric_values` is their long union, and
`analytics.metric_values` its materialisation, which imported values override.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from kg_service.config import ROOT

SQL_DIR = ROOT / "sql"
_METRIC_ID = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
_PARTS_REF = re.compile(r"\banalytics\.parts_([a-z][a-z0-9_]*)")


@dataclass(frozen=True)
class PartsModel:
    metric_id: str
    sql: str

    @property
    def depends_on(self) -> set[str]:
        return set(_PARTS_REF.findall(self.sql)) - {self.metric_id}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip().rstrip(";")


@cache
def landing_ddl() -> tuple[str, ...]:
    return tuple(_read(p) for p in sorted((SQL_DIR / "landing").glob("*.sql")))


@cache
def parts_models() -> dict[str, PartsModel]:
    models = {}
    for path in sorted((SQL_DIR / "analytics" / "parts").glob("*.sql")):
        if not _METRIC_ID.match(path.stem):
            raise ValueError(f"{path}: file name is not a metric id")
        models[path.stem] = PartsModel(path.stem, _read(path))
    return models


def _template(name: str, metric_id: str) -> str:
    if not _METRIC_ID.match(metric_id):
        raise ValueError(f"not a metric id: {metric_id!r}")
    return _read(SQL_DIR / "templates" / f"{name}.sql").replace("{metric_id}", metric_id)


def creation_order(models: dict[str, PartsModel]) -> list[str]:
    """Metric ids with every parts model after the models it reads (DuckDB binds views on creation)."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(metric_id: str, chain: tuple[str, ...]) -> None:
        if state.get(metric_id) == "done":
            return
        if state.get(metric_id) == "visiting":
            raise ValueError(f"parts models form a cycle: {' -> '.join((*chain, metric_id))}")
        if metric_id not in models:
            raise ValueError(f"{chain[-1]}.sql reads analytics.parts_{metric_id}, which has no model")
        state[metric_id] = "visiting"
        for dependency in sorted(models[metric_id].depends_on):
            visit(dependency, (*chain, metric_id))
        state[metric_id] = "done"
        order.append(metric_id)

    for metric_id in sorted(models):
        visit(metric_id, ())
    return order


def long_view_sql(metric_ids: list[str]) -> str:
    if not metric_ids:
        return _read(SQL_DIR / "templates" / "metric_values_empty.sql")
    branches = [_template("metric_values_branch", metric_id) for metric_id in metric_ids]
    return "CREATE OR REPLACE VIEW analytics.v_metric_values AS\n" + "\nUNION ALL\n".join(branches)


def model_statements() -> list[str]:
    """Every statement that creates the landing tables and the analytics views, in order.

    Portable SQL: the same statements build the views in DuckDB and in a Snowflake database.
    """
    models = parts_models()
    order = creation_order(models)
    statements = list(landing_ddl())
    for metric_id in order:
        statements.append(f"CREATE OR REPLACE VIEW analytics.parts_{metric_id} AS\n{models[metric_id].sql}")
        statements.append(_template("metric_total", metric_id))
        statements.append(_template("metric_by_campaign", metric_id))
    statements.append(long_view_sql(order))
    return statements


LANDING_SCHEMAS = (
    "google_ads_fivetran",
    "meta_ads_fivetran",
    "ga4_fivetran",
    "klaviyo_fivetran",
    "magento_fivetran",
    "finance",
)
_TABLES = """
SELECT table_schema, table_name FROM information_schema.tables
WHERE table_type = 'BASE TABLE'
  AND (
    table_schema IN (SELECT unnest(?::VARCHAR[]))
    OR (table_schema = 'analytics' AND table_name = 'imported_values')
  )
ORDER BY 1, 2
"""


def _models_version(statements: list[str]) -> str:
    return hashlib.sha256("\n;\n".join(statements).encode()).hexdigest()


def landing_fingerprint(connection: duckdb.DuckDBPyConnection) -> str:
    """A digest of every landing row (and imported value): equal digests, equal inputs."""
    digest = hashlib.sha256()
    for schema, table in connection.execute(_TABLES, [list(LANDING_SCHEMAS)]).fetchall():
        if not (_METRIC_ID.match(schema) and _METRIC_ID.match(table)):
            raise ValueError(f"unexpected landing table {schema}.{table}")
        count, rows = connection.execute(
            f'SELECT count(*), bit_xor(hash(*COLUMNS(*))) FROM "{schema}"."{table}"'  # noqa: S608 - checked names
        ).fetchone() or (0, 0)
        digest.update(f"{schema}.{table}:{count}:{rows};".encode())
    return digest.hexdigest()


def is_current(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether `analytics.metric_values` was built from these SQL files and this landing data."""
    try:
        stored = connection.execute("SELECT version, landing FROM analytics.models_version").fetchone()
    except duckdb.CatalogException:
        return False
    if stored is None:
        return False
    return tuple(stored) == (_models_version(model_statements()), landing_fingerprint(connection))


def build(connection: duckdb.DuckDBPyConnection) -> None:
    """Creates landing tables (if missing) and the views (when the SQL files changed since the last
    build), then re-materialises `analytics.metric_values` from the current landing data."""
    statements = model_statements()
    version = _models_version(statements)
    connection.execute("CREATE SCHEMA IF NOT EXISTS analytics")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS analytics.models_version (version VARCHAR NOT NULL, landing VARCHAR NOT NULL)"  # noqa: E501
    )
    current = connection.execute("SELECT max(version) FROM analytics.models_version").fetchone()
    if current is None or current[0] != version:
        for statement in statements:
            connection.execute(statement)
    connection.execute(_read(SQL_DIR / "templates" / "materialize.sql"))
    connection.execute("DELETE FROM analytics.models_version")
    connection.execute(
        "INSERT INTO analytics.models_version VALUES (?, ?)", [version, landing_fingerprint(connection)]
    )
