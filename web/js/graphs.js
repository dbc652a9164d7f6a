// Network charts (ECharts `graph` series): a thought's blast radius and the whole metric graph.

import { COLORS } from './charts.js';
import { esc, formatChange } from './format.js';

const SOURCE_COLORS = ['#3446d4', '#0f9d8a', '#c2410c', '#7c3aed', '#be185d', '#4d7c0f', '#0369a1'];

/** Nodes coloured by the sign of their impact, sized by its magnitude; cross-domain nodes are
 *  diamonds with a dashed ring. Edges follow each metric's strongest path. */
export function blastRadiusOption(radius) {
  const trigger = radius.trigger;
  const largest = Math.max(1, ...radius.affected.map((a) => Math.abs(a.impactPct)));
  const size = (pct) => 14 + 30 * Math.sqrt(Math.abs(pct) / largest);
  const nodes = [{
    id: trigger.id, name: trigger.name, category: 2, symbolSize: 46,
    value: radius.changePct, itemStyle: { color: COLORS.ink, borderColor: '#f59e0b', borderWidth: 3 },
    tooltip: { formatter: `<b>${esc(trigger.name)}</b><br>trigger: ${formatChange(radius.changePct)}` },
  }];
  for (const a of radius.affected) {
    const rises = a.impactPct >= 0;
    nodes.push({
      id: a.metric.id, name: a.metric.name, category: rises ? 0 : 1, value: a.impactPct,
      symbol: a.crossDomain ? 'diamond' : 'circle', symbolSize: size(a.impactPct),
      itemStyle: a.crossDomain ? { borderColor: COLORS.ink, borderWidth: 2, borderType: 'dashed' } : {},
      tooltip: {
        formatter: `<b>${esc(a.metric.name)}</b><br>expected ${formatChange(a.impactPct)} · depth ${a.depth}`
          + ` · ${a.pathCount} path${a.pathCount === 1 ? '' : 's'}<br>${a.path.map(esc).join(' → ')}`
          + (a.crossDomain ? `<br>crosses into ${esc(a.metric.domain)}` : ''),
      },
    });
  }
  const links = new Map();
  for (const a of radius.affected) {
    for (let i = 1; i < a.path.length; i += 1) {
      const key = `${a.path[i - 1]}>${a.path[i]}`;
      if (!links.has(key)) links.set(key, { source: a.path[i - 1], target: a.path[i] });
    }
  }
  const known = new Set(nodes.map((n) => n.id));
  return networkOption({
    nodes,
    links: [...links.values()].filter((l) => known.has(l.source) && known.has(l.target)),
    categories: [
      { name: 'Rises', itemStyle: { color: COLORS.rise } },
      { name: 'Falls', itemStyle: { color: COLORS.fall } },
      { name: 'Trigger', itemStyle: { color: COLORS.ink } },
    ],
    repulsion: 260,
    edgeLength: [60, 140],
  });
}

/** Every metric (coloured by source, finance metrics as diamonds) and its AFFECTS edges (width by
 *  weight, dashed when inverse). Only the better-connected metrics carry a label when many are shown. */
export function knowledgeGraphOption(metrics, visible) {
  const sources = [...new Set(metrics.map((m) => m.source))].sort();
  const shown = metrics.filter((m) => visible.has(m.id));
  const degree = new Map();
  const links = [];
  for (const m of shown) {
    for (const edge of m.affects) {
      if (!visible.has(edge.metric.id)) continue;
      links.push({
        source: m.id, target: edge.metric.id, value: edge.weight,
        lineStyle: { width: 0.6 + 2.4 * edge.weight, type: edge.relationship === 'INVERSE' ? 'dashed' : 'solid' },
        tooltip: { formatter: `${esc(m.id)} → ${esc(edge.metric.id)}<br>${edge.relationship.toLowerCase()}, weight ${edge.weight}` },
      });
      degree.set(m.id, (degree.get(m.id) || 0) + 1);
      degree.set(edge.metric.id, (degree.get(edge.metric.id) || 0) + 1);
    }
  }
  const crowded = shown.length > 40;
  const nodes = shown.map((m) => ({
    id: m.id, name: m.name, category: sources.indexOf(m.source),
    symbol: m.domain === 'marketing' ? 'circle' : 'diamond',
    symbolSize: (crowded ? 10 : 16) + Math.min(26, (crowded ? 2.2 : 3) * (degree.get(m.id) || 0)),
    label: { show: !crowded || (degree.get(m.id) || 0) >= 7 },
    tooltip: { formatter: `<b>${esc(m.name)}</b><br>${esc(m.domain)} · ${esc(m.source)} · ${esc(m.unit)}` },
  }));
  return networkOption({
    nodes,
    links,
    categories: sources.map((s, i) => ({ name: s, itemStyle: { color: SOURCE_COLORS[i % SOURCE_COLORS.length] } })),
    repulsion: crowded ? 120 : 420,
    gravity: crowded ? 0.2 : 0.1,
    zoom: crowded ? 0.95 : 1,
    edgeLength: crowded ? [30, 90] : [70, 160],
  });
}

function networkOption({ nodes, links, categories, repulsion, edgeLength, gravity = 0.08, zoom = 1 }) {
  return {
    animation: false,
    legend: [{ top: 0, left: 0, data: categories.map((c) => c.name) }],
    tooltip: { confine: true },
    series: [{
      type: 'graph', layout: 'force', roam: true, draggable: true, categories, zoom,
      data: nodes, links, top: 40, bottom: 30, left: 20, right: 20,
      force: { repulsion, edgeLength, gravity, layoutAnimation: false },
      edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 6,
      lineStyle: { color: 'source', opacity: 0.55, curveness: 0.08 },
      label: { show: true, position: 'right', fontSize: 11, color: COLORS.ink },
      emphasis: { focus: 'adjacency', label: { show: true } },
      labelLayout: { hideOverlap: true },
    }],
  };
}
