// A recommended action and its request: status, audit fields, and the buttons the approval matrix
// and the user's roles allow (a VIEWER or API_USER sees none; an ANALYST cannot approve admin_approval).

import { gql } from '../api.js';
import { actionButton, badge, errorText, h, link, replace } from '../dom.js';
import { formatDateTime, humanize, percent } from '../format.js';
import { canAct, canApprove } from '../session.js';

export const REQUEST_FIELDS = `id thoughtId status impactLevel approval confidence requestedBy decidedBy
  decisionReason scheduledFor executedAt outcome createdAt updatedAt
  action { id name description impactLevel requiresApproval integrationType platform }`;

const MUTATIONS = {
  request: `mutation($thoughtId: ID!, $actionId: ID!) { requestAction(thoughtId: $thoughtId, actionId: $actionId) { ${REQUEST_FIELDS} } }`,
  approve: `mutation($id: ID!) { approveAction(id: $id) { ${REQUEST_FIELDS} } }`,
  reject: `mutation($id: ID!, $reason: String) { rejectAction(id: $id, reason: $reason) { ${REQUEST_FIELDS} } }`,
  execute: `mutation($id: ID!) { executeAction(id: $id) { ${REQUEST_FIELDS} } }`,
  schedule: `mutation($id: ID!, $at: DateTime!) { scheduleAction(id: $id, at: $at) { ${REQUEST_FIELDS} } }`,
};

const APPROVAL_TEXT = {
  none: 'No approval needed',
  user_confirmation: 'Needs an analyst’s confirmation',
  admin_approval: 'Needs an ADMIN’s approval',
};

export function approvalText(approval) {
  return APPROVAL_TEXT[approval] || humanize(approval);
}

export function auditLine(r) {
  const parts = [`created ${formatDateTime(r.createdAt)}`];
  if (r.requestedBy) parts.push(`requested by ${r.requestedBy}`);
  if (r.decidedBy) parts.push(`last decided by ${r.decidedBy}`);
  if (r.decisionReason) parts.push(`reason: ${r.decisionReason}`);
  if (r.scheduledFor) parts.push(`scheduled for ${formatDateTime(r.scheduledFor)}`);
  if (r.executedAt) parts.push(`executed ${formatDateTime(r.executedAt)}`);
  if (r.outcome) parts.push(`outcome: ${r.outcome}`);
  parts.push(`updated ${formatDateTime(r.updatedAt)}`);
  return parts.join(' · ');
}

/** `onChange(updated)` is told of every successful transition. */
export function actionItem(request, { onChange = () => {}, showThought = false } = {}) {
  const item = h('li', { class: 'action-item', dataset: { request: request.id, status: request.status } });
  const render = (r) => {
    const name = r.action ? r.action.name : r.id;
    const error = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });
    const run = async (verb, variables) => {
      error.hidden = true;
      try {
        const data = await gql(MUTATIONS[verb], variables);
        const updated = Object.values(data)[0];
        Object.assign(r, updated);
        item.dataset.status = r.status;
        render(r);
        onChange(r);
      } catch (e) {
        error.textContent = errorText(e);
        error.hidden = false;
      }
    };
    replace(item,
      h('header', {}, h('h3', {}, name),
        h('span', { class: 'badges' }, badge(humanize(r.status), `status status-${r.status}`),
          badge(`${r.impactLevel} impact`, r.impactLevel))),
      r.action ? h('p', { class: 'small' }, r.action.description) : null,
      h('p', { class: 'small muted' }, `${approvalText(r.approval)} · confidence ${percent(r.confidence)}`,
        r.action && r.action.platform ? ` · ${r.action.platform}` : '',
        showThought ? [' · ', link(`#/thoughts/${encodeURIComponent(r.thoughtId)}`, 'the thought')] : null),
      h('p', { class: 'audit' }, auditLine(r)),
      buttons(r, name, run),
      error);
  };
  render(request);
  return item;
}

function buttons(r, name, run) {
  const row = h('div', { class: 'btn-row' });
  const waiting = (text) => row.append(h('span', { class: 'small muted' }, text));
  const add = (text, verb, variables, extra = {}) => row.append(
    actionButton(text, () => run(verb, variables), { 'aria-label': `${text}: ${name}`, ...extra }));
  const approver = canApprove(r.approval);
  switch (r.status) {
    case 'RECOMMENDED':
      if (canAct()) add('Request', 'request', { thoughtId: r.thoughtId, actionId: r.action.id });
      break;
    case 'PENDING_APPROVAL':
      if (approver) {
        add('Approve', 'approve', { id: r.id });
        row.append(rejectControl(r, name, run));
      } else if (canAct()) {
        waiting(r.approval === 'admin_approval' ? 'Waiting for an ADMIN to approve.' : 'Waiting for approval.');
      }
      break;
    case 'APPROVED':
      if (canAct()) {
        add('Execute', 'execute', { id: r.id });
        row.append(scheduleControl(r, name, run));
      }
      if (approver) row.append(rejectControl(r, name, run));
      break;
    case 'SCHEDULED':
      if (canAct()) add('Execute now', 'execute', { id: r.id });
      if (approver) row.append(rejectControl(r, name, run));
      break;
    default:
      break;
  }
  return row.childNodes.length ? row : null;
}

function rejectControl(r, name, run) {
  const id = `reason-${r.id}`;
  const reason = h('input', { id, type: 'text', maxlength: 500, placeholder: 'Reason (optional)' });
  return h('details', { class: 'reject' },
    h('summary', { class: 'btn btn-small btn-quiet', 'aria-label': `Reject: ${name}` }, 'Reject…'),
    h('div', { class: 'field-row' },
      h('label', { for: id, class: 'visually-hidden' }, `Reason for rejecting ${name}`), reason,
      actionButton('Confirm reject', () => run('reject', { id: r.id, reason: reason.value.trim() || null }),
        { class: 'btn btn-small btn-danger' })));
}

function scheduleControl(r, name, run) {
  const id = `when-${r.id}`;
  const when = h('input', { id, type: 'datetime-local', required: true });
  return h('span', { class: 'field-row' },
    h('label', { for: id, class: 'visually-hidden' }, `When to run ${name}`), when,
    actionButton('Schedule', async () => {
      if (!when.value) return when.focus();
      return run('schedule', { id: r.id, at: new Date(when.value).toISOString() });
    }, { class: 'btn btn-small btn-quiet', 'aria-label': `Schedule: ${name}` }));
}
