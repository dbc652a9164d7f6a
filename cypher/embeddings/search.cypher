// The tenant's nearest nodes per asked index ({kind, index}). The indexes hold every tenant's nodes:
// $k neighbours are asked for and only the tenant's own kept. The index scores come from quantized
// vectors, so the candidates are scored again exactly, as the scan does, before the best $limit.
UNWIND $indexes AS target
CALL (target) {
  CALL db.index.vector.queryNodes(target.index, $k, $vector) YIELD node
  WHERE node.tenant = $tenant
  WITH node, vector.similarity.cosine(node.embedding, $vector) AS score
  RETURN node.id AS id, node.name AS name, score
  ORDER BY score DESC, id
  LIMIT $limit
}
RETURN target.kind AS kind, id, name, score
