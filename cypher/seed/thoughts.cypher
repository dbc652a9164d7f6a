UNWIND $thoughts AS t
MERGE (n:Thought {tenant: $tenant, id: t.id})
SET n += t.props
WITH n, t
CALL (n, t) {
  UNWIND t.components AS metric_id
  MATCH (m:Metric {tenant: $tenant, id: metric_id})
  MERGE (m)-[:COMPOSES]->(n)
}
CALL (n, t) {
  UNWIND t.actions AS action_id
  MATCH (a:Action {tenant: $tenant, id: action_id})
  MERGE (n)-[:TRIGGERS]->(a)
}
