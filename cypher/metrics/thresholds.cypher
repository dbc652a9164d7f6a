MATCH (m:Metric {tenant: $tenant})-[:HAS_THRESHOLD]->(t:Threshold {tenant: $tenant})
WHERE m.id IN $ids
RETURN m.id AS metric_id, t {
  .id, .severity, .kind, .operator, .value, .baseline, .periods, .trend, .min_volume
} AS threshold
ORDER BY metric_id, t.id
