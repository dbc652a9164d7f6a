// Compare-and-set: changes the status only from one of $from; returns nothing otherwise.
MATCH (i:ThoughtInstance {tenant: $tenant, id: $id})-[:INSTANCE_OF]->(t:Thought {tenant: $tenant})
WHERE i.status IN $from
SET i += $changes
RETURN i {.*} AS instance, t.id AS definition_id
