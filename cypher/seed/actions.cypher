UNWIND $actions AS a
MERGE (n:Action {tenant: $tenant, id: a.id})
SET n += a.props
