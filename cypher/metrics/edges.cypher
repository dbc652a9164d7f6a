// AFFECTS edges touching any of $ids (all of the tenant's edges when $ids is null).
MATCH (a:Metric {tenant: $tenant})-[r:AFFECTS]->(b:Metric {tenant: $tenant})
WHERE $ids IS NULL OR a.id IN $ids OR b.id IN $ids
RETURN a.id AS source, b.id AS target, r.weight AS weight, r.relationship AS relationship
ORDER BY source, target
