// Blast radius of a change of $change_pct % in metric $metric_id: every metric reached over
// AFFECTS by a simple path (no node twice) of at most __MAX_DEPTH__ edges, within $tenant.
// __MAX_DEPTH__ is a placeholder: Cypher takes no parameter as a variable-length bound, so
// kg_service/graph/blast_radius.py replaces it with a validated integer 1..5 and nothing else.
// Along a path: impact = change × Π weight, negated once per `inverse` edge. Each metric reports
// the first of its paths by |impact| rounded to 2 decimals (desc), depth, id list, then impact:
// a total order on what is reported, applied by `reduce` (not by the order rows reach `collect`),
// so neither traversal nor edge order can show in the answer. Ids are read for a tie only.
// No row when the trigger is not a metric of $tenant; one row, strongest impact first, otherwise.
MATCH (trigger:Metric {tenant: $tenant, id: $metric_id})
RETURN trigger.id AS trigger_id, trigger.domain AS trigger_domain, COLLECT {
  MATCH p = (trigger)-[:AFFECTS*1..__MAX_DEPTH__]->(target:Metric)
  WHERE all(n IN nodes(p) WHERE n.tenant = $tenant)
    AND all(i IN range(1, length(p)) WHERE NOT nodes(p)[i] IN nodes(p)[0..i])
  WITH target, nodes(p) AS nodes, reduce(
    impact = toFloat($change_pct), r IN relationships(p) |
    impact * r.weight * CASE r.relationship WHEN 'inverse' THEN -1.0 ELSE 1.0 END
  ) AS impact
  WITH target, collect({magnitude: round(abs(impact), 2), impact: impact, nodes: nodes}) AS paths
  WITH target, size(paths) AS path_count, reduce(best = head(paths), c IN tail(paths) |
    CASE
      WHEN c.magnitude > best.magnitude
        OR (c.magnitude = best.magnitude AND (size(c.nodes) < size(best.nodes)
        OR (size(c.nodes) = size(best.nodes) AND ([n IN c.nodes | n.id] < [n IN best.nodes | n.id]
        OR (c.nodes = best.nodes AND c.impact > best.impact)))))
      THEN c
      ELSE best
    END
  ) AS best
  RETURN {
    metric_id: target.id,
    impact_pct: CASE WHEN best.impact < 0 THEN 0.0 - best.magnitude ELSE best.magnitude END,
    depth: size(best.nodes) - 1,
    path: [n IN best.nodes | n.id],
    path_count: path_count,
    cross_domain: coalesce(target.domain, '') <> coalesce(trigger.domain, '')
  } AS impact
  ORDER BY best.magnitude DESC, target.id
} AS affected
