CREATE CONSTRAINT action_request_tenant_id IF NOT EXISTS
FOR (n:ActionRequest) REQUIRE (n.tenant, n.id) IS UNIQUE
