// GraphQL over HTTP POST. A 401 or an UNAUTHENTICATED error ends the session (the app listens
// for `miq:auth-lost` and returns to sign-in); other errors carry the API's extensions.code.

import { token } from './session.js';

export class ApiError extends Error {
  constructor(message, code = 'INTERNAL', status = 0, data = null) {
    super(message);
    this.code = code;
    this.status = status;
    this.data = data;
  }
}

export function authLost(reason) {
  window.dispatchEvent(new CustomEvent('miq:auth-lost', { detail: reason }));
}

export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token() || ''}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError(`The API cannot be reached (${error.message})`, 'NETWORK');
  }
  if (response.status === 401) {
    authLost('Your session has expired or its token is not valid. Please sign in again.');
    throw new ApiError('Not signed in', 'UNAUTHENTICATED', 401);
  }
  if (response.status === 429) {
    const wait = response.headers.get('retry-after');
    throw new ApiError(`Too many requests; try again in ${wait || 'a few'} s`, 'RATE_LIMITED', 429);
  }
  const body = await response.json().catch(() => null);
  if (!body) throw new ApiError(`The API answered ${response.status}`, 'INTERNAL', response.status);
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const code = (first.extensions && first.extensions.code) || 'INTERNAL';
    if (code === 'UNAUTHENTICATED') authLost(first.message);
    throw new ApiError(first.message, code, response.status, body.data);
  }
  return body.data;
}

/** Whether the server is in development: its /dev/token endpoint answers a bad body with 422. */
export async function devTokensAvailable() {
  try {
    const response = await fetch('/dev/token', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
    });
    return response.status === 422;
  } catch {
    return false;
  }
}

export async function devToken(tenant, role) {
  const response = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, role, sub: `demo-${role.toLowerCase().replace('_', '-')}` }),
  });
  if (!response.ok) throw new ApiError(`Development sign-in failed (${response.status})`, 'INVALID_INPUT');
  return (await response.json()).token;
}

const SCHEMA_FIELDS = `__schema {
  queryType { fields { name } }
  mutationType { fields { name } }
  subscriptionType { fields { name } }
}`;

let features = null;

/** Learns which optional API fields this server has (briefing, agentChat…) by introspection, in
 *  the same request as `extra` (the viewer, say); returns the data of `extra`. Outside development
 *  introspection is off: then every feature is tried, and degrades where it fails. */
export async function apiFeatures(extra) {
  let data;
  try {
    data = await gql(`{ ${extra} ${SCHEMA_FIELDS} }`);
  } catch (error) {
    if (error.code === 'UNAUTHENTICATED' || error.code === 'NETWORK') throw error;
    features = { known: false, query: new Set(), mutation: new Set(), subscription: new Set() };
    return gql(`{ ${extra} }`);
  }
  const names = (type) => new Set(((type && type.fields) || []).map((f) => f.name));
  features = {
    known: true,
    query: names(data.__schema.queryType),
    mutation: names(data.__schema.mutationType),
    subscription: names(data.__schema.subscriptionType),
  };
  return data;
}

export function hasFeature(kind, name) {
  if (!features) return false;
  return features.known ? features[kind].has(name) : true;
}

export function resetFeatures() {
  features = null;
}
