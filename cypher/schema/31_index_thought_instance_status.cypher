CREATE INDEX thought_instance_tenant_status IF NOT EXISTS
FOR (n:ThoughtInstance) ON (n.tenant, n.status)
