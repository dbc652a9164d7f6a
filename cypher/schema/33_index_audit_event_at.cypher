CREATE INDEX audit_event_tenant_at IF NOT EXISTS
FOR (n:AuditEvent) ON (n.tenant, n.at)
