// Numbers, changes and dates as people read them. Percentages arrive in percent (12.5 means 12.5 %).

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
const moneyWhole = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const moneyCompact = new Intl.NumberFormat('en-US', {
  style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1,
});

export function formatValue(value, unit, { short = false } = {}) {
  if (value == null || Number.isNaN(value)) return '—';
  const size = Math.abs(value);
  switch (unit) {
    case 'currency':
      if (short && size >= 10000) return moneyCompact.format(value);
      return size >= 1000 ? moneyWhole.format(value) : money.format(value);
    case 'percentage':
      return `${value.toFixed(size < 10 ? 2 : 1)}%`;
    case 'ratio':
      return `${value.toFixed(2)}×`;
    case 'count':
      if (short && size >= 100000) return compact.format(value);
      return size < 100 && !Number.isInteger(value) ? value.toFixed(1) : integer.format(value);
    default:
      return size >= 1000 ? integer.format(value) : String(Math.round(value * 100) / 100);
  }
}

export function formatChange(pct) {
  if (pct == null || Number.isNaN(pct)) return '—';
  const sign = pct > 0 ? '+' : pct < 0 ? '−' : '±';
  return `${sign}${Math.abs(pct).toFixed(Math.abs(pct) < 10 ? 1 : 0)}%`;
}

/** good, bad or flat for a change, given whether the metric is better higher or lower. */
export function changeTone(pct, direction) {
  if (pct == null || Math.abs(pct) < 0.5) return 'flat';
  const up = pct > 0;
  return up === (direction !== 'LOWER_IS_BETTER') ? 'good' : 'bad';
}

export function formatDate(value) {
  if (!value) return '—';
  const date = new Date(value.length === 10 ? `${value}T00:00:00` : value);
  return date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' });
}

export function formatDateTime(value) {
  if (!value) return '—';
  return new Date(value).toLocaleString('en-US', {
    month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

export function timeAgo(value) {
  if (!value) return '';
  const seconds = Math.round((Date.now() - new Date(value).getTime()) / 1000);
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

export function humanize(text) {
  if (!text) return '';
  const words = String(text).replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function percent(fraction) {
  return fraction == null ? '—' : `${Math.round(fraction * 100)}%`;
}

/** Text made safe for the HTML that chart tooltips render. */
export function esc(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}
