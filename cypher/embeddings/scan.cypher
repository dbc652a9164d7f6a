// Exact cosine over the tenant's own embedded nodes of the asked kinds, at most $limit per kind:
// the fallback when the shared index's neighbours hold too few of the tenant's nodes.
CALL () {
  MATCH (n:Metric {tenant: $tenant})
  WHERE 'metric' IN $kinds AND n.embedding IS NOT NULL
  RETURN 'metric' AS kind, n
  UNION ALL
  MATCH (n:Thought {tenant: $tenant})
  WHERE 'thought' IN $kinds AND n.embedding IS NOT NULL
  RETURN 'thought' AS kind, n
  UNION ALL
  MATCH (n:Action {tenant: $tenant})
  WHERE 'action' IN $kinds AND n.embedding IS NOT NULL
  RETURN 'action' AS kind, n
}
WITH kind, n, vector.similarity.cosine(n.embedding, $vector) AS score
ORDER BY score DESC, n.id
WITH kind, collect({id: n.id, name: n.name, score: score})[..$limit] AS top
UNWIND top AS hit
RETURN kind, hit.id AS id, hit.name AS name, hit.score AS score
