MATCH (n {tenant: $tenant})
RETURN labels(n)[0] AS label, count(*) AS count
ORDER BY label
