// The bearer token of this browser tab (sessionStorage) and who it says the user is.
// The claims are read for display and to hide buttons; the API checks every call itself.

const KEY = 'miq.token';
const ACTORS = ['ANALYST', 'ADMIN'];

let viewer = null;

export function token() {
  return sessionStorage.getItem(KEY);
}

export function signIn(value) {
  sessionStorage.setItem(KEY, value.trim().replace(/^Bearer\s+/i, ''));
  viewer = null;
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  viewer = null;
}

export function claims(value = token()) {
  try {
    const part = value.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '=')));
  } catch {
    return null;
  }
}

/** The `me` answer of the API once known: { sub, tenantId, roles }. */
export function setViewer(me) {
  viewer = me;
}

export function currentViewer() {
  return viewer;
}

export function hasRole(...roles) {
  return Boolean(viewer && viewer.roles.some((r) => roles.includes(r)));
}

/** Dismiss, snooze, request, schedule and execute: the ANALYST and ADMIN roles. */
export function canAct() {
  return hasRole(...ACTORS);
}

/** The approval matrix: an admin_approval needs an ADMIN, any other approval an ANALYST or ADMIN. */
export function canApprove(approval) {
  return approval === 'admin_approval' ? hasRole('ADMIN') : hasRole(...ACTORS);
}
