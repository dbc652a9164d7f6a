UNWIND $edges AS e
MATCH (a:Metric {tenant: $tenant, id: e.source})
MATCH (b:Metric {tenant: $tenant, id: e.target})
MERGE (a)-[r:AFFECTS]->(b)
SET r.weight = e.weight, r.relationship = e.relationship
