// The tenant's nearest nodes per asked index ({kind, index}). The indexes hold every tenant's nodes:
// $k neighbours are asked for and only the tenant's own kept, at most $limit per kind.
UNWIND $indexes AS target
CALL (target) {
  CALL db.index.vector.queryNodes(target.index, $k, $vector) YIELD node, score
  WHERE node.tenant = $tenant
  RETURN node.id AS id, node.name AS name, score
  ORDER BY score DESC, id
  LIMIT $limit
}
RETURN target.kind AS kind, id, name, score
