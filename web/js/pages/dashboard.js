// One dashboard: its metrics as cards, worst status first.

import { gql } from '../api.js';
import { loadECharts } from '../charts.js';
import { metricCard } from '../components/metric-card.js';
import { empty, h } from '../dom.js';

const BOARD = `query Board($id: ID!) { thoughtlet(id: $id) { id name description metrics {
  id name unit direction latest { date value } changePct status history(days: 30) { date value } } } }`;
const ORDER = { CRITICAL: 0, WARNING: 1, OK: 2 };

export default async function dashboardPage(view, [id], page) {
  loadECharts();
  const { thoughtlet } = await gql(BOARD, { id });
  if (!thoughtlet) {
    view.append(empty('There is no dashboard with this id for your store.'));
    page.ready();
    return;
  }
  page.setTitle(thoughtlet.name);
  const metrics = [...thoughtlet.metrics].sort((a, b) => (ORDER[a.status] - ORDER[b.status]) || a.name.localeCompare(b.name));
  view.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/dashboards' }, 'Dashboards'), ' / ', thoughtlet.name),
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, thoughtlet.name), h('p', {}, thoughtlet.description))),
    metrics.length
      ? h('div', { class: 'metric-grid' }, metrics.map((m) => metricCard(m, page)))
      : empty('This dashboard has no metrics yet.'));
  // Ready once the values show; the sparklines finish drawing just after (see bench/bench_web.py).
  page.ready();
  await page.drawn();
}
