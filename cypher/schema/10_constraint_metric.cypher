CREATE CONSTRAINT metric_tenant_id IF NOT EXISTS
FOR (n:Metric) REQUIRE (n.tenant, n.id) IS UNIQUE
