// The tenant's metric names and units, fetched once per sign-in (values are not cached here).

import { gql } from './api.js';
import { currentViewer } from './session.js';

let cached = null;
let owner = null;

const REGISTRY_FIELDS = 'metrics { id name unit direction domain }';

function ownerKey() {
  const viewer = currentViewer();
  return viewer ? `${viewer.tenantId}/${viewer.sub}` : null;
}

export function metricRegistry() {
  if (!cached || owner !== ownerKey()) {
    owner = ownerKey();
    const asked = gql(`{ ${REGISTRY_FIELDS} }`).then((data) => new Map(data.metrics.map((m) => [m.id, m])));
    asked.catch(() => { if (cached === asked) cached = null; });
    cached = asked;
  }
  return cached;
}

/** Whether the registry is already known (so a page need not ask for it with its own data). */
function registryKnown() {
  return Boolean(cached) && owner === ownerKey();
}

/** Keeps the metrics a page fetched along with its own data (one request instead of two). */
function primeRegistry(metrics) {
  owner = ownerKey();
  cached = Promise.resolve(new Map(metrics.map((m) => [m.id, m])));
  return cached;
}

export function metricName(registry, id) {
  return (registry && registry.get(id) && registry.get(id).name) || id;
}

/** Runs `query Page($id: ID!) { <selection> }` and returns its data with `registry`, asking for
 *  the metrics in the same request when they are not known yet. */
export async function withRegistry(selection, variables) {
  const known = registryKnown();
  const operation = `query Page($id: ID!) { ${selection} ${known ? '' : REGISTRY_FIELDS} }`;
  const [data, registry] = await Promise.all([gql(operation, variables), known ? metricRegistry() : null]);
  return { ...data, registry: registry || await primeRegistry(data.metrics) };
}
