MATCH (i:ThoughtInstance {tenant: $tenant, id: $id})-[:INSTANCE_OF]->(t:Thought {tenant: $tenant})
RETURN i {.*} AS instance, t.id AS definition_id
