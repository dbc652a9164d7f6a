// The knowledge graph: every metric and AFFECTS edge, filtered by source and dashboard.

import { gql } from '../api.js';
import { loadECharts, mount } from '../charts.js';
import { empty, h, link, replace } from '../dom.js';
import { knowledgeGraphOption } from '../graphs.js';

const GRAPH = `{ metrics { id name domain source unit affects { weight relationship metric { id } } }
  thoughtlets { id name metrics { id } } }`;

export default async function graphPage(view, _params, page) {
  loadECharts();
  const { metrics, thoughtlets } = await gql(GRAPH);
  const sources = [...new Set(metrics.map((m) => m.source))].sort();
  const source = h('select', { id: 'graph-source' }, h('option', { value: '' }, 'All sources'),
    sources.map((s) => h('option', { value: s }, s)));
  const board = h('select', { id: 'graph-thoughtlet' }, h('option', { value: '' }, 'All dashboards'),
    thoughtlets.map((t) => h('option', { value: t.id }, t.name)));
  const count = h('p', { class: 'muted small', role: 'status' });
  const chartBox = h('div', { class: 'chart chart-tall', role: 'img', 'aria-label': 'Metric graph; the list below links every metric shown' });
  const list = h('div');
  view.append(
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Knowledge graph'),
      h('p', {}, 'Metrics and how they affect each other, coloured by source; finance metrics are diamonds. Solid edges move together, dashed ones inversely; thicker is stronger. Click a metric to open it.'))),
    h('div', { class: 'card' },
      h('div', { class: 'filters' },
        h('div', { class: 'field' }, h('label', { for: 'graph-source' }, 'Source'), source),
        h('div', { class: 'field' }, h('label', { for: 'graph-thoughtlet' }, 'Dashboard'), board), count),
      chartBox),
    h('section', { class: 'card section', 'aria-labelledby': 'graph-list-title' },
      h('h2', { id: 'graph-list-title' }, 'Metrics shown'), list));

  let chart = null;
  const draw = async () => {
    const members = board.value ? new Set(thoughtlets.find((t) => t.id === board.value).metrics.map((m) => m.id)) : null;
    const shown = metrics.filter((m) => (!source.value || m.source === source.value) && (!members || members.has(m.id)));
    const visible = new Set(shown.map((m) => m.id));
    const option = knowledgeGraphOption(metrics, visible);
    const edges = option.series[0].links.length;
    count.textContent = `${shown.length} metrics, ${edges} edges`;
    replace(list, shown.length
      ? h('ul', { class: 'node-links' }, shown.map((m) => h('li', {}, link(`#/metrics/${encodeURIComponent(m.id)}`, m.name))))
      : empty('No metric matches these filters.'));
    if (chart) {
      chart.setOption(option, true);
      return;
    }
    chart = await mount(chartBox, option, page);
    if (chart) chart.on('click', (event) => {
      if (event.dataType === 'node') location.hash = `#/metrics/${encodeURIComponent(event.data.id)}`;
    });
  };
  source.addEventListener('change', draw);
  board.addEventListener('change', draw);
  await draw();
  page.ready();
}
