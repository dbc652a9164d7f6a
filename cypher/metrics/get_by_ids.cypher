UNWIND $ids AS metric_id
MATCH (m:Metric {tenant: $tenant, id: metric_id})
RETURN m {
  .id, .name, .description, .domain, .subdomain, .source, .formula, .components,
  .unit, .direction, .aggregation, .scale, .view
} AS metric
ORDER BY m.id
