// One row per metric: {id, props}. `SET +=` keeps properties the seeds do not own (embedding).
UNWIND $metrics AS m
MERGE (n:Metric {tenant: $tenant, id: m.id})
SET n += m.props
