UNWIND $thoughtlets AS t
MERGE (n:Thoughtlet {tenant: $tenant, id: t.id})
SET n += t.props
WITH n, t
UNWIND t.metrics AS metric_id
MATCH (m:Metric {tenant: $tenant, id: metric_id})
MERGE (m)-[:BELONGS_TO]->(n)
