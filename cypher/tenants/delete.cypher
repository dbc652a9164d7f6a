MATCH (n {tenant: $tenant})
DETACH DELETE n
