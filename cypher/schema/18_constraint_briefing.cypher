CREATE CONSTRAINT briefing_tenant_id IF NOT EXISTS
FOR (n:Briefing) REQUIRE (n.tenant, n.id) IS UNIQUE
