CREATE INDEX metric_tenant_source IF NOT EXISTS
FOR (n:Metric) ON (n.tenant, n.source)
