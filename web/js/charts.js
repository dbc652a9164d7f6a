// Charts with Apache ECharts (vendor/echarts.esm.min.js, loaded on first use).

import { esc, formatChange, formatDate, formatValue } from './format.js';

export const COLORS = {
  OK: '#14804a', WARNING: '#d08700', CRITICAL: '#b42318',
  brand: '#3446d4', rise: '#2563eb', fall: '#ea580c', neutral: '#8a93a8', ink: '#172033',
};

let library = null;

export function loadECharts() {
  library = library || import('../vendor/echarts.esm.min.js');
  return library;
}

/** Draws `option` into `el`; the chart follows the element's size and is disposed with the page. */
export function mount(el, option, page) {
  const drawing = draw(el, option, page);
  if (page) page.pending.push(drawing);
  return drawing;
}

async function draw(el, option, page) {
  const echarts = await loadECharts();
  if (!el.isConnected || (page && page.signal.aborted)) return null;
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption(option);
  const observer = new ResizeObserver(() => chart.resize());
  observer.observe(el);
  if (page) {
    page.onLeave(() => {
      observer.disconnect();
      chart.dispose();
    });
  }
  return chart;
}

export function sparklineOption(points, unit, status) {
  const color = COLORS[status] || COLORS.brand;
  return {
    animation: false,
    grid: { left: 2, right: 2, top: 4, bottom: 2 },
    xAxis: { type: 'category', show: false, boundaryGap: false, data: points.map((p) => p.date) },
    yAxis: { type: 'value', show: false, scale: true },
    tooltip: {
      trigger: 'axis', confine: true, axisPointer: { type: 'none' },
      formatter: (items) => `${formatDate(items[0].name)}: ${formatValue(items[0].value, unit)}`,
    },
    series: [{
      type: 'line', data: points.map((p) => p.value), symbol: 'none', smooth: false,
      lineStyle: { width: 1.6, color }, areaStyle: { color, opacity: 0.1 },
    }],
  };
}

const OPERATORS = {
  '>': (a, b) => a > b, '>=': (a, b) => a >= b, '<': (a, b) => a < b, '<=': (a, b) => a <= b,
};

/** Days beyond an absolute threshold (the worst one each day). */
export function breaches(points, thresholds) {
  const lines = thresholds.filter((t) => t.kind === 'absolute' && t.value != null && OPERATORS[t.operator]);
  const rank = { CRITICAL: 2, WARNING: 1 };
  return points.flatMap((p) => {
    const hit = lines.filter((t) => OPERATORS[t.operator](p.value, t.value))
      .sort((a, b) => rank[b.severity] - rank[a.severity])[0];
    return hit ? [{ date: p.date, value: p.value, severity: hit.severity }] : [];
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Days far from the same weekday of the previous weeks: robust z (median and MAD) of at least
 *  `limit`, over 8 to 12 earlier weeks, as the API's anomaly thresholds do. */
export function anomalies(points, limit) {
  const found = [];
  points.forEach((p, i) => {
    const earlier = [];
    for (let w = 1; w <= 12 && i - 7 * w >= 0; w += 1) earlier.push(points[i - 7 * w].value);
    if (earlier.length < 8) return;
    const centre = median(earlier);
    const spread = 1.4826 * median(earlier.map((v) => Math.abs(v - centre)));
    if (spread > 0 && Math.abs(p.value - centre) / spread >= limit) found.push(p);
  });
  return found;
}

export function historyOption(metric, points, shownDays) {
  const shown = points.slice(-shownDays);
  const first = shown.length ? shown[0].date : null;
  const inView = (p) => first && p.date >= first;
  const absolute = metric.thresholds.filter((t) => t.kind === 'absolute' && t.value != null);
  const anomaly = metric.thresholds.find((t) => t.kind === 'anomaly' && t.value != null);
  const beyond = breaches(shown, metric.thresholds);
  const unusual = anomaly ? anomalies(points, anomaly.value).filter(inView) : [];
  const fmt = (v) => formatValue(v, metric.unit, { short: true });
  const series = [{
    name: metric.name, type: 'line', showSymbol: false, data: shown.map((p) => [p.date, p.value]),
    lineStyle: { width: 2, color: COLORS.brand }, itemStyle: { color: COLORS.brand },
    markLine: {
      symbol: 'none', silent: true,
      data: absolute.map((t) => ({
        yAxis: t.value,
        lineStyle: { color: COLORS[t.severity], type: 'dashed', width: 1.5 },
        label: { formatter: `${t.severity.toLowerCase()} ${t.operator} ${fmt(t.value)}`, position: 'insideEndTop', color: COLORS[t.severity] },
      })),
    },
  }];
  if (beyond.length) {
    series.push({
      name: 'Beyond a threshold', type: 'scatter', symbolSize: 7,
      data: beyond.map((b) => ({ value: [b.date, b.value], itemStyle: { color: COLORS[b.severity] } })),
      itemStyle: { color: COLORS.CRITICAL },
    });
  }
  if (unusual.length) {
    series.push({
      name: 'Unusual day', type: 'scatter', symbol: 'diamond', symbolSize: 13,
      data: unusual.map((p) => [p.date, p.value]),
      itemStyle: { color: 'rgba(0,0,0,0)', borderColor: COLORS.CRITICAL, borderWidth: 2 },
    });
  }
  const option = {
    animation: false,
    grid: { left: 12, right: 24, top: 36, bottom: 28, containLabel: true },
    legend: { top: 0, left: 0, data: series.map((s) => s.name) },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v) => (Array.isArray(v) ? fmt(v[1]) : fmt(v)),
    },
    xAxis: { type: 'time', axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', scale: true, axisLabel: { formatter: fmt } },
    series,
  };
  return { option, lines: absolute.length, breaches: beyond.length, unusual: unusual.length };
}

export function driversOption(drivers) {
  const rows = [...drivers].reverse();
  return {
    animation: false,
    grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (item) => {
        const d = rows[item.dataIndex];
        return `${esc(d.metricId)} (${esc(d.role)})<br>${formatChange(d.changePct)}: ${d.before.toFixed(2)} → ${d.after.toFixed(2)}<br>share of the change: ${item.value.toFixed(1)}%`;
      },
    },
    xAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', data: rows.map((d) => `${d.metricId} (${d.role})`), axisLabel: { width: 180, overflow: 'truncate' } },
    series: [{
      type: 'bar', data: rows.map((d) => ({
        value: d.sharePct ?? 0,
        itemStyle: { color: (d.sharePct ?? 0) >= 0 ? COLORS.brand : COLORS.neutral },
      })),
      label: { show: true, position: 'right', formatter: (item) => `${item.value.toFixed(0)}%` },
      barMaxWidth: 26,
    }],
  };
}

export function campaignsOption(moves) {
  const rows = [...moves].reverse();
  return {
    animation: false,
    grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (item) => {
        const m = rows[item.dataIndex];
        return `${esc(m.campaign)}<br>${esc(m.metricId)}: ${m.before.toFixed(2)} → ${m.after.toFixed(2)} (${formatChange(m.changePct)})`;
      },
    },
    xAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', data: rows.map((m) => `${m.campaign} · ${m.metricId}`), axisLabel: { width: 220, overflow: 'truncate' } },
    series: [{
      type: 'bar', barMaxWidth: 22,
      data: rows.map((m) => ({ value: m.changePct ?? 0, itemStyle: { color: (m.changePct ?? 0) >= 0 ? COLORS.rise : COLORS.fall } })),
      label: { show: true, position: 'right', formatter: (item) => formatChange(item.value) },
    }],
  };
}
