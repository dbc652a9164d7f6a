// Dashboards (thoughtlets): one card per dashboard with how many of its metrics need attention.

import { gql } from '../api.js';
import { badge, empty, h, loading, replace } from '../dom.js';

const BOARDS = '{ thoughtlets { id name description metrics { id status } } }';

export default async function dashboardsPage(view, _params, page) {
  const list = h('div', {}, loading('Loading dashboards…'));
  view.append(h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Dashboards'),
    h('p', {}, 'Groups of metrics that belong together. Open one to see its latest values.'))), list);
  const { thoughtlets } = await gql(BOARDS);
  if (!thoughtlets.length) {
    replace(list, empty('This store has no dashboards yet.'));
  } else {
    replace(list, h('ul', { class: 'board-list' }, thoughtlets.map((board) => {
      const count = (status) => board.metrics.filter((m) => m.status === status).length;
      const critical = count('CRITICAL');
      const warning = count('WARNING');
      return h('li', {}, h('a', { href: `#/dashboards/${encodeURIComponent(board.id)}` },
        h('div', { class: 'card' },
          h('h2', {}, board.name),
          h('p', { class: 'muted small' }, board.description),
          h('div', { class: 'badges' },
            badge(`${board.metrics.length} metrics`, 'low'),
            critical ? badge(`${critical} critical`, 'critical') : null,
            warning ? badge(`${warning} warning`, 'warning') : null,
            !critical && !warning ? badge('all ok', 'ok') : null))));
    })));
  }
  page.ready();
}
