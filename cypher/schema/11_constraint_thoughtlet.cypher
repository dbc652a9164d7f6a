CREATE CONSTRAINT thoughtlet_tenant_id IF NOT EXISTS
FOR (n:Thoughtlet) REQUIRE (n.tenant, n.id) IS UNIQUE
