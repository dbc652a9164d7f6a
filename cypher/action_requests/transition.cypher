// Compare-and-set: applies $changes only while the status is one of $from.
MATCH (i:ThoughtInstance {tenant: $tenant})-[:RECOMMENDS]->(r:ActionRequest {tenant: $tenant, id: $id})
WHERE r.status IN $from
SET r += $changes
RETURN r {.*} AS request, i.id AS thought_id
