"""The `kg-service` command."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from kg_service.ai.offline_analyst import OfflineAnalyst
from kg_service.api.auth import mint_token
from kg_service.config import ROOT, Settings, get_settings
from kg_service.engine.thoughts import GenerationReport, generate_thoughts
from kg_service.errors import KgError, SeedError
from kg_service.graph import local_engine
from kg_service.graph.db import Graph
from kg_service.graph.definitions import TENANT_RE, Unit
from kg_service.graph.metrics import list_metrics
from kg_service.graph.schema import apply_schema
from kg_service.graph.seed_files import knowledge_for, known_tenants
from kg_service.graph.seeding import expected_counts, write_knowledge
from kg_service.graph.tenants import delete_tenant, graph_counts
from kg_service.identity import Role
from kg_service.redis_client import connect_redis
from kg_service.warehouse.cache import TenantCache
from kg_service.warehouse.demo import generate_demo
from kg_service.warehouse.duckdb_files import TenantFiles
from kg_service.warehouse.factory import metric_source
from kg_service.warehouse.importer import import_values

T = TypeVar("T")


def _fail(message: str, code: int = 1) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(code)


def _run_with_graph(settings: Settings, work: Callable[[Graph], Awaitable[T]]) -> T:
    if settings.neo4j.uses_local_engine and not local_engine.status(settings).running:
        _fail("neo4j-local is not running: start it with `kg-service neo4j start` (or set NEO4J_URI)")

    async def main() -> T:
        graph = Graph.connect(settings.neo4j)
        redis = connect_redis(settings.redis)
        if redis is not None:  # the API's cached answers learn of these writes at once
            graph.on_write = TenantCache(redis, settings.redis).graph_changed
        try:
            await graph.ping()
            return await work(graph)
        finally:
            await graph.close()
            if redis is not None:
                await redis.aclose()

    return asyncio.run(main())


def _outdate(settings: Settings, tenant: str, *, values: bool, graph: bool) -> bool:
    """Makes the tenant's cached answers stale in every process (and its cached values when
    `values`); False when no Redis is configured, so nothing is cached anywhere."""

    async def bump() -> bool:
        redis = connect_redis(settings.redis)
        if redis is None:
            return False
        cache = TenantCache(redis, settings.redis)
        try:
            if values:
                await cache.invalidate(tenant)
            if graph:
                await cache.graph_changed(tenant)
        finally:
            await redis.aclose()
        return cache.healthy

    return asyncio.run(bump())


def _values_changed(settings: Settings, tenant: str) -> None:
    """Its warehouse data was just replaced: every cached value and answer of `tenant` is stale."""
    _outdate(settings, tenant, values=True, graph=False)


def _tenant(value: str) -> str:
    if not TENANT_RE.match(value):
        raise click.BadParameter(f"{value!r} is not a tenant id (lowercase letters, digits, _)")
    return value


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug output.")
def cli(verbose: bool) -> None:
    """Marketing IQ: the knowledge graph of a store's marketing numbers."""
    logging.basicConfig(level=logging.DEBUG if verbose else get_settings().log_level)


@cli.group()
def neo4j() -> None:
    """The local Neo4j engine (used when NEO4J_URI is unset)."""


@neo4j.command("start")
def neo4j_start() -> None:
    """Build (once) and start the local engine; wait until Bolt answers."""
    settings = get_settings()
    if not settings.neo4j.uses_local_engine:
        click.echo(f"NEO4J_URI is set: using {settings.neo4j.uri}, nothing to start")
        return
    click.echo("starting neo4j-local (the first start builds it with Maven)…")
    status = local_engine.start(settings)
    click.echo(status.describe())


@neo4j.command("stop")
def neo4j_stop() -> None:
    """Stop the local engine (SIGTERM, clean shutdown)."""
    stopped = local_engine.stop(get_settings())
    click.echo("neo4j-local stopped" if stopped else "neo4j-local was not running")


@neo4j.command("status")
def neo4j_status() -> None:
    """Say whether the local engine runs and where it listens; exit 1 when it does not."""
    settings = get_settings()
    if not settings.neo4j.uses_local_engine:
        click.echo(f"NEO4J_URI is set: the service uses {settings.neo4j.uri}")
        return
    status = local_engine.status(settings)
    click.echo(status.describe())
    if not status.running:
        sys.exit(1)


@cli.group()
def schema() -> None:
    """The graph schema (constraints and indexes in cypher/schema/)."""


@schema.command("export")
@click.option("--check", is_flag=True, help="Exit 1 when schema.graphql differs from the code's schema.")
def schema_export(check: bool) -> None:
    """Write the GraphQL SDL to schema.graphql (the file integrators code against)."""
    from kg_service.api.schema import sdl

    target = ROOT / "schema.graphql"
    text = sdl()
    if check:
        if not target.exists() or target.read_text() != text:
            _fail("schema.graphql is out of date: run `kg-service schema export`")
        click.echo("schema.graphql is current")
        return
    target.write_text(text)
    click.echo(f"wrote {target}")


@schema.command("apply")
def schema_apply() -> None:
    """Apply every schema statement; safe to run again."""
    applied = _run_with_graph(get_settings(), apply_schema)
    click.echo(f"applied {len(applied)} schema statements")


@cli.command()
@click.option(
    "--tenant",
    "tenants",
    multiple=True,
    callback=lambda _c, _p, v: [_tenant(t) for t in v],
    help="Tenant to seed (repeatable). Default: every tenant in seeds/tenants/.",
)
@click.option("--check", is_flag=True, help="Validate only: print a JSON summary, write nothing.")
def seed(tenants: list[str], check: bool) -> None:
    """Load the seeds (MERGE, one transaction per tenant), or check them."""
    settings = get_settings()
    names = tenants or known_tenants(settings.seeds_dir)
    try:
        knowledge = {tenant: knowledge_for(settings.seeds_dir, tenant) for tenant in names}
    except SeedError as exc:
        _fail(str(exc))
    if check:
        summary = {tenant: expected_counts(k) for tenant, k in knowledge.items()}
        click.echo(json.dumps({"valid": True, "tenants": summary}, indent=2, sort_keys=True))
        return

    from kg_service.ai.embeddings import shared_embedder
    from kg_service.graph.embeddings import refresh_embeddings

    async def write_all(graph: Graph) -> dict[str, tuple[dict[str, dict[str, int]], int]]:
        model = await shared_embedder()
        counts = {}
        for tenant, k in knowledge.items():
            await write_knowledge(graph, tenant, k)
            counts[tenant] = (
                await graph_counts(graph, tenant),
                await refresh_embeddings(graph, tenant, model),
            )
        return counts

    counts = _run_with_graph(settings, write_all)
    for tenant, (c, embedded) in counts.items():
        nodes = ", ".join(f"{n} {label}" for label, n in sorted(c["nodes"].items()))
        click.echo(f"seeded {tenant}: {nodes}; {sum(c['edges'].values())} edges; {embedded} embedded")


@cli.command("import-values")
@click.option("--tenant", required=True, callback=lambda _c, _p, v: _tenant(v))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_values_command(tenant: str, file: Path) -> None:
    """Import metric values from CSV or Parquet (metric_id,date,value[,dimension,dimension_value]).

    Every row is checked first; a file with any bad row is refused whole and nothing is written.
    Imported values take precedence over computed ones for the same metric, day and campaign.
    """
    settings = get_settings()

    async def registry(graph: Graph) -> dict[str, Unit]:
        return {m.id: m.unit for m in await list_metrics(graph, tenant)}

    units = _run_with_graph(settings, registry)
    if not units:
        _fail(f"tenant {tenant} has no metrics in the graph: run `kg-service seed --tenant {tenant}` first")
    count = import_values(TenantFiles(settings.warehouse_dir), tenant, file, units)
    _values_changed(settings, tenant)
    click.echo(f"imported {count} values for {tenant} from {file}")


@cli.command("demo-data")
@click.option("--tenant", required=True, callback=lambda _c, _p, v: _tenant(v))
@click.option("--days", type=click.IntRange(60, 1100), default=400, show_default=True)
@click.option("--seed", type=int, default=None, help="Random seed (default: derived from the tenant).")
@click.option(
    "--end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Last day (default: yesterday)."
)
def demo_data(tenant: str, days: int, seed: int | None, end: datetime | None) -> None:
    """Generate a demo store's history (with planted incidents) into the tenant's DuckDB file."""
    settings = get_settings()
    files = TenantFiles(settings.warehouse_dir)
    with Progress(
        TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        summary = generate_demo(
            files, tenant, days=days, seed=seed, end=end.date() if end else None, progress=progress
        )
    _values_changed(settings, tenant)
    rows = sum(summary.rows.values())
    click.echo(
        f"{tenant}: {summary.days} days {summary.first_date}..{summary.last_date}, {rows:,} rows, "
        f"incidents: {', '.join(i.id for i in summary.incidents) or 'none'}"
    )


@cli.group()
def thoughts() -> None:
    """Thought generation (normally run by the pipeline)."""


@thoughts.command("generate")
@click.option("--tenant", required=True, callback=lambda _c, _p, v: _tenant(v))
def thoughts_generate(tenant: str) -> None:
    """Evaluate every active thought definition on the latest data, once (counts toward the daily cap)."""
    settings = get_settings()

    async def work(graph: Graph) -> GenerationReport:
        source = metric_source(settings, None)
        analyst = OfflineAnalyst()
        try:
            return await generate_thoughts(graph, source, analyst, analyst, tenant, settings.engine)
        finally:
            await source.close()

    report = _run_with_graph(settings, work)
    if not report.ran:
        click.echo(f"{tenant}: skipped: {report.skipped_reason}")
        return
    changes = ", ".join(f"{i} {c.value}" for i, c in report.changes.items()) or "no changes"
    click.echo(f"{tenant}: data as of {report.data_as_of}: {changes}")
    if report.insufficient:
        click.echo(f"insufficient data for: {', '.join(report.insufficient)}")


@cli.group()
def cache() -> None:
    """The Redis caches of metric values and query answers."""


@cache.command("outdate")
@click.option("--tenant", required=True, callback=lambda _c, _p, v: _tenant(v))
@click.option("--values", is_flag=True, help="Also its cached metric values (warehouse edited by hand).")
def cache_outdate(tenant: str, values: bool) -> None:
    """Make a tenant's cached answers stale at once, e.g. after editing its graph in Neo4j Browser.

    Changes made through the service (mutations, seeding, pipeline runs, imports) do this by
    themselves; edits made around it show only when entries expire (REDIS_QUERY_TTL_S)."""
    settings = get_settings()
    if settings.redis.url is None:
        click.echo("REDIS_URL is not set: nothing is cached, nothing to outdate")
        return
    if not _outdate(settings, tenant, values=values, graph=True):
        _fail(f"Redis at {settings.redis.url} did not answer; nothing was outdated")
    click.echo(f"{tenant}: cached answers{' and values' if values else ''} outdated")


@cli.command()
@click.option("--host", default=None, help="Bind address (default: KG_API_HOST).")
@click.option("--port", type=int, default=None, help="Port (default: KG_API_PORT).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the API (GraphQL at /graphql) with uvicorn."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "kg_service.api.app:main_app",
        factory=True,
        host=host or settings.api.host,
        port=port or settings.api.port,
        log_config=None,
        proxy_headers=False,
        ws_max_size=65536,
    )


@cli.command()
@click.option("--burst", is_flag=True, help="Run the queued jobs, then exit.")
def worker(burst: bool) -> None:
    """Run the pipeline worker (ARQ on Redis): webhook runs, refreshes and the daily evaluation."""
    from arq.worker import Worker

    from kg_service.observability import configure_logging
    from kg_service.workers.settings import worker_options

    settings = get_settings()
    configure_logging(settings.log_level)
    Worker(**worker_options(settings, burst=burst)).run()


@cli.group()
def tenant() -> None:
    """Whole-tenant operations."""


@tenant.command("delete")
@click.option("--tenant", "name", required=True, callback=lambda _c, _p, v: _tenant(v))
@click.confirmation_option(prompt="Delete every node of this tenant (definitions, thoughts, audit)?")
def tenant_delete(name: str) -> None:
    """Remove a tenant's whole graph (offboarding)."""

    async def work(graph: Graph) -> dict[str, dict[str, int]]:
        before = await graph_counts(graph, name)
        await delete_tenant(graph, name)
        return before

    before = _run_with_graph(get_settings(), work)
    click.echo(f"deleted {sum(before['nodes'].values())} nodes of tenant {name}")


@cli.command()
@click.option("--tenant", required=True, callback=lambda _c, _p, v: _tenant(v))
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice([r.value for r in Role]))
@click.option("--sub", default="local-user", show_default=True, help="The token's subject (user id).")
@click.option("--ttl", type=int, default=None, help="Lifetime in minutes (default: KG_JWT_DEFAULT_TTL_MIN).")
def token(tenant: str, roles: tuple[str, ...], sub: str, ttl: int | None) -> None:
    """Print a signed bearer token for local use."""
    settings = get_settings()
    click.echo(mint_token(settings.auth, tenant=tenant, roles=[Role(r) for r in roles], sub=sub, ttl_min=ttl))


def main() -> None:
    try:
        cli()
    except KgError as exc:
        _fail(f"{exc.code}: {exc}")


if __name__ == "__main__":
    main()
