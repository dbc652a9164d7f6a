MATCH (t:Thought)
RETURN DISTINCT t.tenant AS tenant
ORDER BY tenant
