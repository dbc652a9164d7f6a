MATCH (a:Action {tenant: $tenant})
WHERE $ids IS NULL OR a.id IN $ids
RETURN a {
  .id, .name, .description, .impact_level, .requires_approval, .integration_type, .platform
} AS action
ORDER BY a.id
