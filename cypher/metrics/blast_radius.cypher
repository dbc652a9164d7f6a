// Blast radius of a change of $change_pct % in metric $metric_id: every metric reached over
// AFFECTS by a simple path (no node twice) of at most __MAX_DEPTH__ edges, within $tenant.
// __MAX_DEPTH__ is a placeholder: Cypher takes no parameter as a variable-length bound, so
// kg_service/graph/blast_radius.py replaces it with a validated integer 1..5 and nothing else.
// Along a path: impact = change × Π weight, negated once per `inverse` edge. Each metric reports
// the first of its paths by |impact| rounded to 2 decimals (desc), depth, id list, then signed
// impact: a total order on what is reported, picked by `reduce` rather than by the row order
// `collect` happens to see, so neither traversal nor edge order can show in the answer.
// No row when the trigger is not a metric of $tenant; one row with a null metric_id when it
// reaches nothing.
MATCH (trigger:Metric {tenant: $tenant, id: $metric_id})
OPTIONAL CALL (trigger) {
  MATCH p = (trigger)-[:AFFECTS*1..__MAX_DEPTH__]->(target:Metric)
  WHERE all(n IN nodes(p) WHERE n.tenant = $tenant)
    AND all(i IN range(1, length(p)) WHERE NOT nodes(p)[i] IN nodes(p)[0..i])
  WITH target, p, reduce(
    impact = toFloat($change_pct), r IN relationships(p) |
    impact * r.weight * CASE r.relationship WHEN 'inverse' THEN -1.0 ELSE 1.0 END
  ) AS impact
  WITH target, p, impact, round(abs(impact), 2) AS magnitude
  WITH target, collect({
    magnitude: magnitude,
    impact_pct: CASE WHEN impact < 0 THEN 0.0 - magnitude ELSE magnitude END,
    depth: length(p),
    path: [n IN nodes(p) | n.id]
  }) AS paths
  RETURN target, size(paths) AS path_count, reduce(best = head(paths), c IN tail(paths) |
    CASE
      WHEN c.magnitude > best.magnitude
        OR (c.magnitude = best.magnitude AND (c.depth < best.depth
        OR (c.depth = best.depth AND (c.path < best.path
        OR (c.path = best.path AND c.impact_pct > best.impact_pct)))))
      THEN c
      ELSE best
    END
  ) AS best
}
RETURN trigger.id AS trigger_id,
       trigger.domain AS trigger_domain,
       target.id AS metric_id,
       best.impact_pct AS impact_pct,
       best.depth AS depth,
       best.path AS path,
       path_count,
       coalesce(target.domain, '') <> coalesce(trigger.domain, '') AS cross_domain
ORDER BY best.magnitude DESC, metric_id
