MATCH (e:AuditEvent {tenant: $tenant})
WHERE ($resource_id IS NULL OR e.resource_id = $resource_id)
  AND ($action IS NULL OR e.action = $action)
  AND ($since IS NULL OR e.at >= $since)
RETURN e {
  .id, .at, .user, .action, .resource_type, .resource_id, .outcome, .source_data_hash, .metadata
} AS event
ORDER BY e.at DESC, e.id
LIMIT $limit
