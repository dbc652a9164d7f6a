CREATE CONSTRAINT thought_instance_tenant_id IF NOT EXISTS
FOR (n:ThoughtInstance) REQUIRE (n.tenant, n.id) IS UNIQUE
