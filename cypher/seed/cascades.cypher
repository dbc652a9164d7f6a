UNWIND $cascades AS c
MATCH (a:Thought {tenant: $tenant, id: c.source})
MATCH (b:Thought {tenant: $tenant, id: c.target})
MERGE (a)-[r:CASCADES_TO]->(b)
SET r.rank = c.rank
