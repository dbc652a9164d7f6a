MATCH (t:Thought {tenant: $tenant, id: $definition_id})
MERGE (i:ThoughtInstance {tenant: $tenant, id: $id})
SET i += $props
MERGE (i)-[:INSTANCE_OF]->(t)
RETURN i {.*} AS instance, t.id AS definition_id
