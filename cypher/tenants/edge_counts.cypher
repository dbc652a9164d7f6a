MATCH (a {tenant: $tenant})-[r]->(b {tenant: $tenant})
RETURN type(r) AS type, count(*) AS count
ORDER BY type
