CREATE CONSTRAINT thought_tenant_id IF NOT EXISTS
FOR (n:Thought) REQUIRE (n.tenant, n.id) IS UNIQUE
