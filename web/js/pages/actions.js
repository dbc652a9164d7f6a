// Actions: requests waiting for approval, and the history of every other request with its audit fields.

import { gql } from '../api.js';
import { REQUEST_FIELDS, actionItem, approvalText, auditLine } from '../components/action-request.js';
import { badge, empty, h, link, replace } from '../dom.js';
import { formatDateTime, humanize } from '../format.js';

const REQUESTS = `{ actionRequests { ${REQUEST_FIELDS} } }`;

export default async function actionsPage(view, _params, page) {
  const pending = h('div');
  const history = h('div');
  view.append(
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Actions'),
      h('p', {}, 'Requests waiting for a decision, and what happened to every other one.'))),
    h('section', { class: 'card', 'aria-labelledby': 'pending-title' }, h('h2', { id: 'pending-title' }, 'Waiting for approval'), pending),
    h('section', { class: 'card section', 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title' }, 'History'), history));

  const load = async () => {
    const { actionRequests } = await gql(REQUESTS);
    await page.booted;
    const newest = (a, b) => b.updatedAt.localeCompare(a.updatedAt);
    const waiting = actionRequests.filter((r) => r.status === 'PENDING_APPROVAL').sort(newest);
    const past = actionRequests.filter((r) => !['PENDING_APPROVAL', 'RECOMMENDED'].includes(r.status)).sort(newest);
    replace(pending, waiting.length
      ? h('ul', { class: 'action-list' }, waiting.map((r) => actionItem(r, { showThought: true, onChange: () => load() })))
      : empty('Nothing is waiting for approval.'));
    replace(history, past.length ? historyTable(past) : empty('No action has been requested yet.'));
  };
  await load();
  page.ready();
}

function historyTable(rows) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, h('th', {}, 'Action'), h('th', {}, 'Status'), h('th', {}, 'Impact'), h('th', {}, 'Approval'),
      h('th', {}, 'Requested by'), h('th', {}, 'Decided by'), h('th', {}, 'Updated'), h('th', {}, 'Audit trail'))),
    h('tbody', {}, rows.map((r) => h('tr', { dataset: { request: r.id } },
      h('td', {}, link(`#/thoughts/${encodeURIComponent(r.thoughtId)}`, r.action ? r.action.name : r.id)),
      h('td', {}, badge(humanize(r.status), `status status-${r.status}`)),
      h('td', {}, badge(r.impactLevel, r.impactLevel)),
      h('td', { class: 'small' }, approvalText(r.approval)),
      h('td', {}, r.requestedBy || '—'),
      h('td', {}, r.decidedBy || '—'),
      h('td', { class: 'small' }, formatDateTime(r.updatedAt)),
      h('td', { class: 'small muted' }, auditLine(r)))))));
}
