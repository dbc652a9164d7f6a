// One metric: latest value, history with thresholds and unusual days, its edges, its drivers.

import { gql } from '../api.js';
import { driversOption, historyOption, loadECharts, mount } from '../charts.js';
import { badge, empty, h, link } from '../dom.js';
import { changeTone, formatChange, formatDate, formatValue, humanize } from '../format.js';

const METRIC = `query Metric($id: ID!, $days: Int!) { metric(id: $id) {
  id name description domain subdomain source unit direction formula aggregation
  latest { date value } changePct status
  history(days: $days) { date value }
  thresholds { id severity kind operator value baseline periods }
  affects { weight relationship metric { id name domain } }
  affectedBy { weight relationship metric { id name domain } }
  drivers { metricId role before after changePct contribution sharePct method }
  thoughtlets { id name } } }`;
const RANGES = [[30, '30 days'], [90, '90 days'], [180, '180 days'], [365, '1 year']];
const FETCHED_DAYS = 365;
const SHOWN_DAYS = 90;

export default async function metricPage(view, [id], page) {
  loadECharts();
  const range = SHOWN_DAYS;
  const { metric } = await gql(METRIC, { id, days: FETCHED_DAYS });
  if (!metric) {
    view.append(empty('There is no metric with this id for your store.'));
    page.ready();
    return;
  }
  page.setTitle(metric.name);
  const historyChart = h('div', { class: 'chart', id: 'history-chart', role: 'img', 'aria-label': `${metric.name} history` });
  const historyNote = h('p', { class: 'chart-note' });
  const rangeSelect = h('select', { id: 'history-range' }, RANGES.map(([days, text]) => h('option', { value: days, selected: days === range }, text)));
  let chart = null;
  const drawHistory = async (days) => {
    const drawn = historyOption(metric, metric.history, days);
    Object.assign(historyChart.dataset, { thresholdLines: drawn.lines, breaches: drawn.breaches, unusual: drawn.unusual });
    if (chart) chart.setOption(drawn.option, true);
    else chart = await mount(historyChart, drawn.option, page);
    historyNote.textContent = `${drawn.breaches} day(s) beyond an absolute threshold; ${drawn.unusual} unusual day(s) `
      + '(robust z against the same weekday of the previous 8–12 weeks, computed in the browser).';
  };
  rangeSelect.addEventListener('change', () => drawHistory(Number(rangeSelect.value)));

  const tone = changeTone(metric.changePct, metric.direction);
  view.append(
    h('p', { class: 'crumbs' }, link('#/dashboards', 'Dashboards'), ' / ',
      metric.thoughtlets.map((b, i) => [i ? ', ' : '', link(`#/dashboards/${b.id}`, b.name)]), ' / ', metric.name),
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, metric.name), h('p', {}, metric.description || ''))),
    h('dl', { class: 'facts' },
      fact('Latest', formatValue(metric.latest && metric.latest.value, metric.unit)),
      fact('Change, 7 days', h('span', { class: `change ${tone}` }, formatChange(metric.changePct))),
      fact('Status', badge(metric.status, metric.status)),
      fact('As of', metric.latest ? formatDate(metric.latest.date) : 'no data'),
      fact('Better when', metric.direction === 'LOWER_IS_BETTER' ? 'lower' : 'higher'),
      fact('Source', `${metric.source} · ${metric.domain}${metric.subdomain ? ` / ${metric.subdomain}` : ''}`)),
    h('section', { class: 'card section', 'aria-labelledby': 'history-title' },
      h('div', { class: 'feed-head' }, h('h2', { id: 'history-title' }, 'History'),
        h('div', { class: 'field-row' }, h('label', { for: 'history-range' }, 'Range'), rangeSelect)),
      metric.history.length ? historyChart : empty('No values yet.'), historyNote,
      thresholdTable(metric)),
    h('div', { class: 'grid grid-2 section' },
      edgeCard('Affects', 'What this metric moves', metric.affects),
      edgeCard('Affected by', 'What moves this metric', metric.affectedBy)),
    driversCard(metric, page),
    metric.formula ? h('p', { class: 'muted small section' }, 'Formula: ', h('span', { class: 'mono' }, metric.formula),
      ` · aggregated by ${metric.aggregation}`) : null);
  if (metric.history.length) await drawHistory(range);
  await page.drawn();
  page.ready();
}

function fact(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

function thresholdTable(metric) {
  if (!metric.thresholds.length) return h('p', { class: 'muted small' }, 'No thresholds are set for this metric.');
  const rule = (t) => {
    if (t.kind === 'absolute') return `${t.operator} ${formatValue(t.value, metric.unit)}`;
    if (t.kind === 'relative') return `${formatChange(t.value)} vs ${humanize(t.baseline)} (${t.periods} d)`;
    if (t.kind === 'anomaly') return `robust z ≥ ${t.value}`;
    // The API gives a trend's length but not its direction (rising or falling).
    if (t.kind === 'trend') return `${t.periods} consecutive daily moves`;
    return [t.operator, t.value, t.periods ? `${t.periods} periods` : ''].filter(Boolean).join(' ');
  };
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', { class: 'visually-hidden' }, 'Thresholds'),
    h('thead', {}, h('tr', {}, h('th', {}, 'Severity'), h('th', {}, 'Kind'), h('th', {}, 'Rule'))),
    h('tbody', {}, metric.thresholds.map((t) => h('tr', {},
      h('td', {}, badge(t.severity, t.severity)), h('td', {}, humanize(t.kind)), h('td', {}, rule(t)))))));
}

function edgeCard(title, subtitle, edges) {
  return h('section', { class: 'card' }, h('h2', {}, title), h('p', { class: 'muted small' }, subtitle),
    edges.length
      ? h('ul', { class: 'edge-list' }, [...edges].sort((a, b) => b.weight - a.weight).map((e) => h('li', {},
        link(`#/metrics/${encodeURIComponent(e.metric.id)}`, e.metric.name),
        h('span', { class: 'muted small' }, `${e.relationship === 'INVERSE' ? 'inverse' : 'direct'} · weight ${e.weight.toFixed(2)}`))))
      : h('p', { class: 'muted' }, 'None.'));
}

function driversCard(metric, page) {
  const card = h('section', { class: 'card section', 'aria-labelledby': 'drivers-title' },
    h('h2', { id: 'drivers-title' }, 'What drove the last change'));
  if (!metric.drivers.length) {
    card.append(h('p', { class: 'muted' }, `${metric.name} is measured directly, so there is no decomposition of its change.`));
    return card;
  }
  const chart = h('div', { class: 'chart chart-small', id: 'drivers-chart', role: 'img', 'aria-label': 'Driver contributions' });
  card.append(
    h('p', { class: 'muted small' }, `Last 7 days against the 7 before (${formatChange(metric.changePct)}); `
      + `share of the change by component, ${humanize(metric.drivers[0].method).toLowerCase()} method.`),
    chart,
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Component'), h('th', {}, 'Role'), h('th', { class: 'num' }, 'Before'),
        h('th', { class: 'num' }, 'After'), h('th', { class: 'num' }, 'Change'), h('th', { class: 'num' }, 'Share'))),
      h('tbody', {}, metric.drivers.map((d) => h('tr', {},
        h('td', {}, link(`#/metrics/${encodeURIComponent(d.metricId)}`, d.metricId)), h('td', {}, d.role),
        h('td', { class: 'num' }, d.before.toLocaleString('en-US', { maximumFractionDigits: 2 })),
        h('td', { class: 'num' }, d.after.toLocaleString('en-US', { maximumFractionDigits: 2 })),
        h('td', { class: 'num' }, formatChange(d.changePct)),
        h('td', { class: 'num' }, d.sharePct == null ? '—' : `${d.sharePct.toFixed(0)}%`)))))));
  mount(chart, driversOption(metric.drivers), page);
  return card;
}
