// Removes definitions and definition edges the tenant's seeds no longer declare. Thoughts are
// deactivated rather than deleted, so their triggered instances keep their history.
CALL () {
  MATCH (n:Metric {tenant: $tenant}) WHERE NOT n.id IN $keep.metrics
  DETACH DELETE n
}
CALL () {
  MATCH (n:Threshold {tenant: $tenant}) WHERE NOT n.id IN $keep.thresholds
  DETACH DELETE n
}
CALL () {
  MATCH (n:Thoughtlet {tenant: $tenant}) WHERE NOT n.id IN $keep.thoughtlets
  DETACH DELETE n
}
CALL () {
  MATCH (n:Action {tenant: $tenant}) WHERE NOT n.id IN $keep.actions
  DETACH DELETE n
}
CALL () {
  MATCH (n:Thought {tenant: $tenant}) WHERE NOT n.id IN $keep.thoughts
  SET n.is_active = false
}
CALL () {
  MATCH (a:Metric {tenant: $tenant})-[r:AFFECTS]->(b:Metric)
  WHERE NOT a.id + '>' + b.id IN $keep.affects
  DELETE r
}
CALL () {
  MATCH (m:Metric {tenant: $tenant})-[r:BELONGS_TO]->(t:Thoughtlet)
  WHERE NOT m.id + '>' + t.id IN $keep.belongs_to
  DELETE r
}
CALL () {
  MATCH (m:Metric {tenant: $tenant})-[r:COMPOSES]->(t:Thought)
  WHERE NOT m.id + '>' + t.id IN $keep.composes
  DELETE r
}
CALL () {
  MATCH (t:Thought {tenant: $tenant})-[r:TRIGGERS]->(a:Action)
  WHERE NOT t.id + '>' + a.id IN $keep.triggers
  DELETE r
}
CALL () {
  MATCH (a:Thought {tenant: $tenant})-[r:CASCADES_TO]->(b:Thought)
  WHERE NOT a.id + '>' + b.id IN $keep.cascades
  DELETE r
}
