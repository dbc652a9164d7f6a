CREATE CONSTRAINT action_tenant_id IF NOT EXISTS
FOR (n:Action) REQUIRE (n.tenant, n.id) IS UNIQUE
