// One thought: evidence, analysis, blast radius, the campaigns that moved most, recommended actions.

import { REQUEST_FIELDS, actionItem } from '../components/action-request.js';
import { summaryText } from '../components/thought-card.js';
import { campaignsOption, loadECharts, mount } from '../charts.js';
import { badge, empty, h, link } from '../dom.js';
import { formatChange, formatDate, formatDateTime, formatValue, humanize, percent } from '../format.js';
import { blastRadiusOption } from '../graphs.js';
import { metricName, withRegistry } from '../registry.js';

const THOUGHT = `thought(id: $id) {
  id status priority severity summary rootCause confidence analyst analysisNote triggeredAt updatedAt
  snoozedUntil dataAsOf validation
  definition { id name description category }
  evidence { metricId test observed baseline changePct windowStart windowEnd holds }
  blastRadius { changePct maxDepth trigger { id name domain }
    affected { impactPct depth path pathCount crossDomain metric { id name domain } } }
  topCampaigns { metricId campaign before after changePct }
  recommendedActions { ${REQUEST_FIELDS} } }`;

export default async function thoughtPage(view, [id], page) {
  loadECharts();
  const { thought, registry } = await withRegistry(THOUGHT, { id });
  await page.booted;
  if (!thought) {
    view.append(empty('There is no thought with this id for your store.'));
    page.ready();
    return;
  }
  page.setTitle(thought.definition.name);
  view.append(
    h('p', { class: 'crumbs' }, link('#/', 'Home'), ' / ', thought.definition.name),
    h('div', { class: 'page-head' }, h('div', {},
      h('h1', {}, thought.definition.name),
      h('div', { class: 'badges' }, badge(thought.severity, thought.severity),
        badge(`${thought.priority} priority`, thought.priority), badge(thought.status, 'low'),
        h('span', { class: 'muted small' }, `triggered ${formatDateTime(thought.triggeredAt)} · data as of ${formatDate(thought.dataAsOf)}`)))),
    h('div', { class: 'grid grid-3-1' }, analysisCard(thought), actionsCard(thought)),
    evidenceCard(thought, registry),
    blastCard(thought, page),
    campaignsCard(thought, registry, page));
  await page.drawn();
  page.ready();
}

function analysisCard(t) {
  return h('section', { class: 'card', 'aria-labelledby': 'analysis-title' },
    h('h2', { id: 'analysis-title' }, 'Analysis'),
    h('p', { class: 'summary' }, summaryText(t)),
    h('dl', { class: 'facts' },
      h('div', {}, h('dt', {}, 'Root cause'), h('dd', {}, humanize(t.rootCause))),
      h('div', {}, h('dt', {}, 'Confidence'), h('dd', { class: 'confidence' },
        h('meter', { min: 0, max: 1, value: t.confidence, 'aria-label': 'Confidence' }), percent(t.confidence))),
      h('div', {}, h('dt', {}, 'Analyst'), h('dd', {}, t.analyst)),
      h('div', {}, h('dt', {}, 'Category'), h('dd', {}, humanize(t.definition.category)))),
    h('p', { class: 'muted small section' }, t.definition.description),
    t.analysisNote ? h('p', { class: 'notice' }, t.analysisNote) : null,
    t.validation.length ? h('details', {}, h('summary', {}, `Validation notes (${t.validation.length})`),
      h('ul', { class: 'small' }, t.validation.map((v) => h('li', {}, v)))) : null);
}

function actionsCard(t) {
  return h('section', { class: 'card', 'aria-labelledby': 'actions-title' },
    h('h2', { id: 'actions-title' }, 'Recommended actions'),
    t.recommendedActions.length
      ? h('ul', { class: 'action-list' }, t.recommendedActions.map((r) => actionItem(r)))
      : h('p', { class: 'muted' }, 'No actions are recommended for this thought.'));
}

function evidenceCard(t, registry) {
  const unit = (id) => (registry.get(id) ? registry.get(id).unit : null);
  return h('section', { class: 'card section', 'aria-labelledby': 'evidence-title' },
    h('h2', { id: 'evidence-title' }, 'Evidence'),
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Condition'), h('th', {}, 'Metric'), h('th', { class: 'num' }, 'Observed'),
        h('th', { class: 'num' }, 'Baseline'), h('th', { class: 'num' }, 'Change'), h('th', {}, 'Window'), h('th', {}, 'Holds'))),
      h('tbody', {}, t.evidence.map((e) => h('tr', {},
        h('td', {}, e.test),
        h('td', {}, link(`#/metrics/${encodeURIComponent(e.metricId)}`, metricName(registry, e.metricId))),
        h('td', { class: 'num' }, formatValue(e.observed, unit(e.metricId))),
        h('td', { class: 'num' }, formatValue(e.baseline, unit(e.metricId))),
        h('td', { class: 'num' }, formatChange(e.changePct)),
        h('td', {}, e.windowStart ? `${formatDate(e.windowStart)} – ${formatDate(e.windowEnd)}` : '—'),
        h('td', { class: e.holds ? 'holds' : 'not-holds' }, e.holds ? '✓ holds' : '✗ no')))))));
}

function blastCard(t, page) {
  const card = h('section', { class: 'card section', 'aria-labelledby': 'blast-title' },
    h('h2', { id: 'blast-title' }, 'Blast radius'));
  const radius = t.blastRadius;
  if (!radius || !radius.affected.length) {
    card.append(h('p', { class: 'muted' }, 'No downstream metrics were traced for this thought.'));
    return card;
  }
  const chart = h('div', { class: 'chart chart-tall', role: 'img',
    'aria-label': `Blast radius of ${radius.trigger.name}: ${radius.affected.length} metrics; the table below lists them` });
  card.append(
    h('p', { class: 'muted small' }, `If ${radius.trigger.name} moves ${formatChange(radius.changePct)}, these metrics follow `
      + `(up to ${radius.maxDepth} hops). Blue rises, orange falls; size is the size of the move; diamonds cross into another domain. `
      + 'Click a metric to open it.'),
    chart,
    h('details', {}, h('summary', {}, `All ${radius.affected.length} affected metrics`),
      h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Metric'), h('th', { class: 'num' }, 'Expected'), h('th', { class: 'num' }, 'Depth'),
          h('th', { class: 'num' }, 'Paths'), h('th', {}, 'Strongest path'))),
        h('tbody', {}, radius.affected.map((a) => h('tr', {},
          h('td', {}, link(`#/metrics/${encodeURIComponent(a.metric.id)}`, a.metric.name), a.crossDomain ? [' ', badge(a.metric.domain, 'medium')] : null),
          h('td', { class: 'num' }, formatChange(a.impactPct)), h('td', { class: 'num' }, a.depth),
          h('td', { class: 'num' }, a.pathCount), h('td', { class: 'small' }, a.path.join(' → ')))))))));
  mount(chart, blastRadiusOption(radius), page).then((c) => {
    if (c) c.on('click', (event) => {
      if (event.dataType === 'node') location.hash = `#/metrics/${encodeURIComponent(event.data.id)}`;
    });
  });
  return card;
}

function campaignsCard(t, registry, page) {
  const unit = (id) => (registry.get(id) ? registry.get(id).unit : null);
  const card = h('section', { class: 'card section', 'aria-labelledby': 'campaigns-title' },
    h('h2', { id: 'campaigns-title' }, 'Campaigns that moved most'));
  if (!t.topCampaigns.length) {
    card.append(h('p', { class: 'muted' }, 'No campaign-level data for the metrics of this thought.'));
    return card;
  }
  const chart = h('div', { class: 'chart chart-small', role: 'img', 'aria-label': 'Campaign changes; the table below lists them' });
  chart.style.height = `${Math.max(160, 34 * t.topCampaigns.length + 40)}px`;
  card.append(chart, h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, h('th', {}, 'Campaign'), h('th', {}, 'Metric'), h('th', { class: 'num' }, 'Before'),
      h('th', { class: 'num' }, 'After'), h('th', { class: 'num' }, 'Change'))),
    h('tbody', {}, t.topCampaigns.map((m) => h('tr', {}, h('td', {}, m.campaign),
      h('td', {}, link(`#/metrics/${encodeURIComponent(m.metricId)}`, metricName(registry, m.metricId))),
      h('td', { class: 'num' }, formatValue(m.before, unit(m.metricId))),
      h('td', { class: 'num' }, formatValue(m.after, unit(m.metricId))),
      h('td', { class: 'num' }, formatChange(m.changePct))))))));
  mount(chart, campaignsOption(t.topCampaigns), page);
  return card;
}
