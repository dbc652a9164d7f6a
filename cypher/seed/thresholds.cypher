UNWIND $thresholds AS t
MATCH (m:Metric {tenant: $tenant, id: t.metric})
MERGE (n:Threshold {tenant: $tenant, id: t.id})
SET n += t.props
MERGE (m)-[:HAS_THRESHOLD]->(n)
