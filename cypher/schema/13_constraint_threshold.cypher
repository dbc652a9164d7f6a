CREATE CONSTRAINT threshold_tenant_id IF NOT EXISTS
FOR (n:Threshold) REQUIRE (n.tenant, n.id) IS UNIQUE
