MATCH (t:Thoughtlet {tenant: $tenant})
WHERE $ids IS NULL OR t.id IN $ids
OPTIONAL MATCH (m:Metric {tenant: $tenant})-[:BELONGS_TO]->(t)
WITH t, m ORDER BY m.id
RETURN t.id AS id, t.name AS name, t.description AS description, collect(m.id) AS metrics
ORDER BY id
