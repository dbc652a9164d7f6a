// One thought in the feed: summary, severity and priority, evidence at a glance, dismiss and snooze.

import { gql } from '../api.js';
import { actionButton, badge, h } from '../dom.js';
import { formatChange, formatValue, humanize, percent, timeAgo } from '../format.js';
import { metricName } from '../registry.js';
import { canAct } from '../session.js';

const DISMISS = 'mutation($id: ID!) { dismissThought(id: $id) { id status } }';
const SNOOZE = 'mutation($id: ID!, $hours: Int!) { snoozeThought(id: $id, hours: $hours) { id status snoozedUntil } }';
const SNOOZE_CHOICES = [[4, '4 hours'], [24, '1 day'], [168, '1 week']];
const CHIPS = 3;

export function evidenceText(e, registry) {
  const unit = registry && registry.get(e.metricId) ? registry.get(e.metricId).unit : null;
  let text = `${metricName(registry, e.metricId)} ${formatValue(e.observed, unit)}`;
  if (e.baseline != null) text += ` vs ${formatValue(e.baseline, unit)}`;
  if (e.changePct != null) text += ` (${formatChange(e.changePct)})`;
  return text;
}

function evidenceChips(thought, registry) {
  const seen = new Set();
  const held = thought.evidence.filter((e) => {
    const key = evidenceText(e, registry);
    if (!e.holds || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const list = h('ul', { class: 'evidence-chips', 'aria-label': 'Evidence' },
    held.slice(0, CHIPS).map((e) => h('li', { title: e.test }, evidenceText(e, registry))));
  if (held.length > CHIPS) list.append(h('li', {}, `+${held.length - CHIPS} more`));
  return held.length ? list : null;
}

function controls(thought, onChange) {
  if (!canAct() || !['ACTIVE', 'SNOOZED'].includes(thought.status)) return null;
  const selectId = `snooze-${thought.id}`;
  const hours = h('select', { id: selectId, class: 'btn-small' },
    SNOOZE_CHOICES.map(([value, text]) => h('option', { value }, text)));
  const name = thought.definition.name;
  return h('div', { class: 'btn-row' },
    actionButton('Dismiss', () => onChange(() => gql(DISMISS, { id: thought.id }), `Dismissed “${name}”.`),
      { class: 'btn btn-small btn-quiet', 'aria-label': `Dismiss ${name}` }),
    h('label', { for: selectId, class: 'visually-hidden' }, `Snooze ${name} for`),
    hours,
    actionButton('Snooze', () => onChange(
      () => gql(SNOOZE, { id: thought.id, hours: Number(hours.value) }), `Snoozed “${name}”.`,
    ), { class: 'btn btn-small btn-quiet', 'aria-label': `Snooze ${name}` }));
}

/** The summary without the thought's name when it starts with it (the card's title says it). */
export function summaryText(thought) {
  const prefix = `${thought.definition.name}: `;
  return thought.summary.startsWith(prefix) ? thought.summary.slice(prefix.length) : thought.summary;
}

/** `onChange(run, message)` runs a mutation and updates the feed. */
export function thoughtCard(thought, registry, onChange) {
  const title = h('h3', {}, h('a', { href: `#/thoughts/${encodeURIComponent(thought.id)}` }, thought.definition.name));
  return h('li', { class: 'card thought', dataset: { id: thought.id, severity: thought.severity } },
    h('div', { class: 'thought-title' }, title,
      h('span', { class: 'badges' },
        badge(thought.severity, thought.severity),
        badge(`${thought.priority} priority`, thought.priority),
        thought.status !== 'ACTIVE' ? badge(thought.status, 'low') : null)),
    h('p', { class: 'summary' }, summaryText(thought)),
    evidenceChips(thought, registry),
    h('div', { class: 'thought-title' },
      h('p', { class: 'thought-meta' },
        h('span', {}, humanize(thought.rootCause)),
        h('span', {}, `confidence ${percent(thought.confidence)}`),
        h('span', { title: thought.triggeredAt }, `triggered ${timeAgo(thought.triggeredAt)}`),
        h('span', {}, `data as of ${thought.dataAsOf}`)),
      controls(thought, onChange)));
}
