MATCH (i:ThoughtInstance {tenant: $tenant})-[:RECOMMENDS]->(r:ActionRequest {tenant: $tenant})
WHERE ($statuses IS NULL OR r.status IN $statuses)
  AND ($thought_ids IS NULL OR i.id IN $thought_ids)
  AND ($ids IS NULL OR r.id IN $ids)
RETURN r {.*} AS request, i.id AS thought_id
ORDER BY r.created_at DESC, r.id
LIMIT $limit
