// A metric card: latest value in its unit, change over 7 days, status colour and a sparkline.

import { mount, sparklineOption } from '../charts.js';
import { badge, h } from '../dom.js';
import { changeTone, formatChange, formatDate, formatValue } from '../format.js';

export function metricCard(metric, page) {
  const spark = h('div', { class: 'sparkline', role: 'img', 'aria-label': `${metric.name}, last 30 days` });
  const tone = changeTone(metric.changePct, metric.direction);
  const card = h('article', { class: 'card metric-card', dataset: { status: metric.status, metric: metric.id } },
    h('h3', {}, h('a', { href: `#/metrics/${encodeURIComponent(metric.id)}` }, metric.name)),
    h('div', { class: 'metric-line' },
      h('span', { class: 'metric-value' }, formatValue(metric.latest && metric.latest.value, metric.unit, { short: true })),
      badge(metric.status, metric.status)),
    h('div', { class: 'metric-line' },
      h('span', { class: `change ${tone}`, title: 'Last 7 days vs the 7 before' }, `${formatChange(metric.changePct)} 7d`),
      h('span', { class: 'muted small' }, metric.latest ? formatDate(metric.latest.date) : 'no data')),
    spark);
  if (metric.history && metric.history.length) {
    mount(spark, sparklineOption(metric.history, metric.unit, metric.status), page);
  }
  return card;
}
