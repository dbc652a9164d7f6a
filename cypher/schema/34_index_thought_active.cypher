CREATE INDEX thought_tenant_active IF NOT EXISTS
FOR (n:Thought) ON (n.tenant, n.is_active)
