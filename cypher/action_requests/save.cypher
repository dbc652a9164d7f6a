MATCH (i:ThoughtInstance {tenant: $tenant, id: $thought_id})
MERGE (r:ActionRequest {tenant: $tenant, id: $id})
ON CREATE SET r += $props
MERGE (i)-[:RECOMMENDS]->(r)
RETURN r {.*} AS request, i.id AS thought_id
