MATCH (i:ThoughtInstance {tenant: $tenant})-[:INSTANCE_OF]->(t:Thought {tenant: $tenant})
WHERE ($statuses IS NULL OR i.status IN $statuses)
  AND ($definition_ids IS NULL OR t.id IN $definition_ids)
  AND ($ids IS NULL OR i.id IN $ids)
RETURN i {.*} AS instance, t.id AS definition_id
ORDER BY i.triggered_at DESC, i.id
LIMIT $limit
