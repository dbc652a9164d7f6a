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
  UNWIND range(0, size(t.actions) - 1) AS rank
  MATCH (a:Action {tenant: $tenant, id: t.actions[rank]})
  MERGE (n)-[r:TRIGGERS]->(a)
  SET r.rank = rank
}
