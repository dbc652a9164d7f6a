// Rows {id, embedding, text_hash} per kind; the hash names the text the embedding was computed from.
CALL () {
  UNWIND $metrics AS row
  MATCH (n:Metric {tenant: $tenant, id: row.id})
  SET n.embedding = row.embedding, n.embedding_text_hash = row.text_hash
  RETURN count(n) AS metrics
}
CALL () {
  UNWIND $thoughts AS row
  MATCH (n:Thought {tenant: $tenant, id: row.id})
  SET n.embedding = row.embedding, n.embedding_text_hash = row.text_hash
  RETURN count(n) AS thoughts
}
CALL () {
  UNWIND $actions AS row
  MATCH (n:Action {tenant: $tenant, id: row.id})
  SET n.embedding = row.embedding, n.embedding_text_hash = row.text_hash
  RETURN count(n) AS actions
}
RETURN metrics + thoughts + actions AS stored
