CREATE CONSTRAINT audit_event_tenant_id IF NOT EXISTS
FOR (n:AuditEvent) REQUIRE (n.tenant, n.id) IS UNIQUE
