// The text fields of a tenant's searchable nodes, and the hash of the text their embedding came from.
CALL () {
  MATCH (n:Metric {tenant: $tenant})
  RETURN 'metric' AS kind, n
  UNION ALL
  MATCH (n:Thought {tenant: $tenant})
  RETURN 'thought' AS kind, n
  UNION ALL
  MATCH (n:Action {tenant: $tenant})
  RETURN 'action' AS kind, n
}
RETURN kind, n.id AS id, n.name AS name, n.description AS description,
       n.source AS source, n.category AS category, n.embedding_text_hash AS text_hash,
       n.embedding IS NOT NULL AS embedded
ORDER BY kind, id
