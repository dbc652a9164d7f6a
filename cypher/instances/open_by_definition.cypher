// The instance of each definition that is not resolved (at most one per definition).
MATCH (i:ThoughtInstance {tenant: $tenant})-[:INSTANCE_OF]->(t:Thought {tenant: $tenant})
WHERE i.status <> 'resolved'
RETURN i {.*} AS instance, t.id AS definition_id
ORDER BY t.id
