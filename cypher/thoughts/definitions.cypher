MATCH (t:Thought {tenant: $tenant})
WHERE ($ids IS NULL OR t.id IN $ids) AND ($active_only = false OR t.is_active)
CALL (t) {
  OPTIONAL MATCH (t)-[r:TRIGGERS]->(a:Action {tenant: $tenant})
  WITH a ORDER BY r.rank, a.id
  RETURN collect(a.id) AS actions
}
CALL (t) {
  OPTIONAL MATCH (t)-[r:CASCADES_TO]->(c:Thought {tenant: $tenant})
  WITH c ORDER BY r.rank, c.id
  RETURN collect(c.id) AS cascades
}
RETURN t {
  .id, .name, .description, .priority, .category, .trigger, .blast_radius,
  .component_metrics, .is_active
} AS thought, actions, cascades
ORDER BY t.id
