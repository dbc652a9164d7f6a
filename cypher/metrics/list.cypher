MATCH (m:Metric {tenant: $tenant})
WHERE ($source IS NULL OR m.source = $source)
  AND ($thoughtlet IS NULL OR EXISTS {
    (m)-[:BELONGS_TO]->(:Thoughtlet {tenant: $tenant, id: $thoughtlet})
  })
RETURN m {
  .id, .name, .description, .domain, .subdomain, .source, .formula, .components,
  .unit, .direction, .aggregation, .scale, .view
} AS metric
ORDER BY m.id
