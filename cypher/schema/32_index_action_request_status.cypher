CREATE INDEX action_request_tenant_status IF NOT EXISTS
FOR (n:ActionRequest) ON (n.tenant, n.status)
