"""Every setting of the service, read from the environment (and an optional `.env` file).

Each section reads its own prefix, so `NEO4J_URI` lands in `settings.neo4j.uri`. Nothing else in the
package reads the environment: code receives a `Settings` (usually through `get_settings()`).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TENANT_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"

ROOT = Path(__file__).resolve().parent.parent


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def _section(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, env_file=".env", extra="ignore")


class Neo4jSettings(BaseSettings):
    model_config = _section("NEO4J_")

    uri: str | None = Field(
        default=None,
        description="Bolt URI of an existing Neo4j server. Unset: the local engine (neo4j-local/) is used.",
    )
    user: str = Field(default="neo4j", description="Neo4j user name.")
    password: SecretStr = Field(
        default=SecretStr(""),
        description="Neo4j password; also the local engine's password when its auth is on.",
    )
    database: str = Field(default="neo4j", description="Database every query runs against.")
    query_timeout_s: float = Field(default=5.0, gt=0, description="Per-transaction deadline in seconds.")
    local_bolt_port: int = Field(default=7687, ge=1, le=65535, description="Bolt port of the local engine.")
    local_http_port: int = Field(
        default=7474, ge=0, le=65535, description="HTTP/Browser port of the local engine (0 turns HTTP off)."
    )
    local_home: Path | None = Field(
        default=None, description="Data directory of the local engine (default: `<KG_DATA_DIR>/neo4j`)."
    )
    local_auth: bool = Field(default=True, description="Whether the local engine requires a password.")
    local_heap: str = Field(default="1g", description="Java heap of the local engine (-Xmx).")
    local_pagecache: str = Field(default="256m", description="Page cache size of the local engine.")
    local_start_timeout_s: float = Field(
        default=120.0, gt=0, description="How long `neo4j start` waits for Bolt to answer."
    )

    @field_validator("uri", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def bolt_uri(self) -> str:
        return self.uri or f"bolt://127.0.0.1:{self.local_bolt_port}"

    @property
    def uses_local_engine(self) -> bool:
        return self.uri is None


class RedisSettings(BaseSettings):
    model_config = _section("REDIS_")

    @field_validator("url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    url: str | None = Field(
        default=None,
        description="Redis URL (e.g. redis://127.0.0.1:6379/0). Unset: no cache, in-process events.",
    )
    metric_ttl_s: int = Field(default=60, gt=0, description="Cache lifetime of metric values.")
    query_ttl_s: int = Field(default=300, gt=0, description="Cache lifetime of query results.")


class WarehouseSettings(BaseSettings):
    model_config = _section("KG_WAREHOUSE_")

    backend: str = Field(default="duckdb", pattern="^(duckdb|snowflake)$", description="duckdb or snowflake.")


class SnowflakeSettings(BaseSettings):
    model_config = _section("SNOWFLAKE_")

    account: str | None = Field(default=None, description="Snowflake account identifier.")
    user: str | None = Field(default=None, description="Snowflake user.")
    password: SecretStr | None = Field(default=None, description="Snowflake password.")
    warehouse: str | None = Field(default=None, description="Snowflake virtual warehouse.")
    role: str | None = Field(default=None, description="Snowflake role.")
    query_timeout_s: int = Field(default=30, gt=0, description="Statement timeout in seconds.")


class AuthSettings(BaseSettings):
    model_config = _section("KG_JWT_")

    secret: SecretStr = Field(default=SecretStr(""), description="HS256 signing secret (32+ characters).")
    audience: str = Field(default="marketing-iq", description="Required `aud` claim.")
    issuer: str = Field(default="marketing-iq", description="Required `iss` claim.")
    default_ttl_min: int = Field(default=60, gt=0, le=60 * 24 * 30, description="Lifetime of minted tokens.")
    jwks_url: str | None = Field(
        default=None,
        description="An identity provider's JWKS URL: RS256 tokens are verified with its keys (https).",
    )
    jwks_cache_s: int = Field(
        default=300, ge=30, le=86400, description="How long fetched JWKS keys are used before a refetch."
    )

    @field_validator("jwks_url", mode="before")
    @classmethod
    def _secure_jwks(cls, value: object) -> object:
        if value in (None, ""):
            return None
        url = urlparse(str(value))
        loopback = url.hostname in ("127.0.0.1", "localhost", "::1")
        if url.scheme != "https" and not (url.scheme == "http" and loopback):
            raise ValueError("KG_JWT_JWKS_URL must be https (plain http only on this machine's loopback)")
        return value


class EngineSettings(BaseSettings):
    model_config = _section("KG_ENGINE_")

    max_runs_per_day: int = Field(
        default=2, ge=1, le=24, description="Thought generation runs per tenant per day."
    )
    auto_resolve_after: int = Field(
        default=2, ge=1, le=30, description="Clear evaluations after which an active thought resolves itself."
    )
    history_days: int = Field(
        default=120, ge=30, le=730, description="Days of values a generation run reads."
    )
    action_webhook_url: str | None = Field(default=None, description="Where webhook/api actions are POSTed.")
    action_webhook_secret: SecretStr = Field(
        default=SecretStr(""), description="HMAC-SHA256 key signing action webhooks."
    )


class ApiSettings(BaseSettings):
    model_config = _section("KG_API_")

    host: str = Field(default="127.0.0.1", description="Address `kg-service serve` binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `kg-service serve` listens on.")
    cors_origins: str = Field(
        default="http://127.0.0.1:8000,http://localhost:8000",
        description="Comma-separated origins allowed to call the API (and open websockets).",
    )
    max_body_bytes: int = Field(default=65536, ge=1024, description="Largest request body accepted.")
    max_query_depth: int = Field(default=10, ge=2, le=20, description="Deepest GraphQL selection accepted.")
    max_aliases: int = Field(default=20, ge=1, le=200, description="Most aliases in one GraphQL operation.")
    max_tokens: int = Field(default=2000, ge=100, description="Most tokens in one GraphQL document.")
    rate_limit_per_min: int = Field(default=100, ge=1, description="Requests per user per minute.")
    rate_limit_per_hour: int = Field(default=1000, ge=1, description="Requests per user per hour.")
    agent_rate_limit_per_min: int = Field(
        default=10, ge=1, description="Agent questions per user per minute."
    )
    agent_rate_limit_per_hour: int = Field(
        default=100, ge=1, description="Agent questions per user per hour."
    )
    auth_failures_per_min: int = Field(
        default=5,
        ge=1,
        description="Failed authentications per client address per minute; past it, 429 instead of 401.",
    )
    query_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=120,
        description="Longest a query may run over HTTP before it is stopped and answered TIMEOUT.",
    )
    answer_cache: bool = Field(
        default=True,
        description="Cache whole answers of read-only queries in Redis (the query tier), per tenant.",
    )
    answer_cache_mb: int = Field(
        default=64, ge=0, description="Memory (MB) each API process may hold decoded cached answers in."
    )

    @property
    def origins(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


class FivetranRoute(BaseModel):
    """Which tenant a Fivetran webhook belongs to, and the secret that signs it."""

    tenant: str = Field(pattern=TENANT_PATTERN)
    secret: SecretStr
    group_ids: list[str] = Field(default_factory=list)
    connector_ids: list[str] = Field(default_factory=list)


class DbtRoute(BaseModel):
    tenant: str = Field(pattern=TENANT_PATTERN)
    secret: SecretStr
    job_ids: list[str] = Field(default_factory=list)


class PipelineSettings(BaseSettings):
    model_config = _section("KG_PIPELINE_")

    fivetran_routes: list[FivetranRoute] = Field(
        default_factory=list,
        description='JSON list: [{"tenant", "secret", "group_ids": [...], "connector_ids": [...]}].',
    )
    dbt_routes: list[DbtRoute] = Field(
        default_factory=list, description='JSON list: [{"tenant", "secret", "job_ids": [...]}] per tenant.'
    )
    debounce_s: int = Field(
        default=5, ge=0, le=600, description="Syncs of a tenant this close become one run."
    )
    dedupe_hours: int = Field(
        default=25, ge=25, le=240, description="How long a delivered sync id is remembered."
    )
    max_tries: int = Field(default=5, ge=1, le=20, description="Attempts of a pipeline job before it fails.")
    job_timeout_s: int = Field(default=600, ge=10, description="Longest a pipeline job may run.")
    transform_command: str | None = Field(
        default=None,
        description="Run before a Snowflake refresh (e.g. `dbt run --select marts`); {tenant} is filled.",
    )
    daily_hour: int = Field(
        default=6, ge=0, le=23, description="Local hour of the daily evaluation and briefing."
    )
    timezone: str = Field(default="UTC", description="Time zone of `daily_hour` (IANA name).")


class AnthropicSettings(BaseSettings):
    model_config = _section("ANTHROPIC_")

    api_key: SecretStr | None = Field(
        default=None, description="Claude API key. Unset: the offline analyst and agent."
    )
    analysis_model: str = Field(
        default="claude-sonnet-5-5", description="Model that analyses triggered thoughts."
    )
    fast_model: str = Field(
        default="claude-haiku-5-5", description="Model for quick steps (chat tool choice)."
    )
    timeout_s: float = Field(default=30.0, gt=0, le=300, description="Deadline of one Claude call.")
    max_retries: int = Field(
        default=2, ge=0, le=5, description="Retries of retryable Claude errors (429, 5xx)."
    )
    cache_ttl_s: int = Field(
        default=900, ge=0, description="How long an identical analysis is served from cache."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KG_", env_file=".env", extra="ignore")

    env: Environment = Field(
        default=Environment.PRODUCTION,
        description="production, development (GraphiQL, introspection, demo sign-in) or test.",
    )
    data_dir: Path = Field(
        default=ROOT / "data", description="Where local state lives (engine, DuckDB files)."
    )
    seeds_dir: Path = Field(default=ROOT / "seeds", description="The knowledge graph definitions (YAML).")
    log_level: str = Field(default="INFO", description="Log level of the service.")

    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    warehouse: WarehouseSettings = Field(default_factory=WarehouseSettings)
    snowflake: SnowflakeSettings = Field(default_factory=SnowflakeSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    anthropic: AnthropicSettings = Field(default_factory=AnthropicSettings)

    @property
    def neo4j_home(self) -> Path:
        return self.neo4j.local_home or self.data_dir / "neo4j"

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"


SECTIONS: tuple[type[BaseSettings], ...] = (
    Settings,
    Neo4jSettings,
    RedisSettings,
    WarehouseSettings,
    SnowflakeSettings,
    AuthSettings,
    EngineSettings,
    ApiSettings,
    PipelineSettings,
    AnthropicSettings,
)


def environment_variables() -> dict[str, str]:
    """Every environment variable the service reads, with its description."""
    names: dict[str, str] = {}
    for section in SECTIONS:
        prefix = str(section.model_config.get("env_prefix", ""))
        for field_name, field in section.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
                continue
            names[(prefix + field_name).upper()] = field.description or ""
    return names


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
