// Home: today's briefing (when the API has one) and the live thoughts feed.

import { gql, hasFeature } from '../api.js';
import { briefingCard } from '../components/briefing.js';
import { thoughtCard } from '../components/thought-card.js';
import { empty, errorText, failure, h, loading, replace } from '../dom.js';
import { metricRegistry } from '../registry.js';

const THOUGHT_FIELDS = `id status priority severity summary rootCause confidence triggeredAt updatedAt
  snoozedUntil dataAsOf definition { id name category }
  evidence { metricId test observed baseline changePct holds }`;
const THOUGHTS = `query Feed($status: ThoughtStatus) { thoughts(status: $status) { ${THOUGHT_FIELDS} } }`;
const EVENTS = `subscription { thoughtEvents { kind thoughtId at thought { ${THOUGHT_FIELDS} } } }`;
const RANK = { CRITICAL: 3, HIGH: 2, WARNING: 1, MEDIUM: 1, LOW: 0, OK: 0 };
const NEW_FOR_MS = 10000;
const FILTERS = [['ACTIVE', 'Active'], ['SNOOZED', 'Snoozed'], ['DISMISSED', 'Dismissed'], ['RESOLVED', 'Resolved'], ['', 'All']];

/** The API's order: priority, then severity, then newest. */
function byUrgency(a, b) {
  return (RANK[b.priority] - RANK[a.priority]) || (RANK[b.severity] - RANK[a.severity])
    || b.triggeredAt.localeCompare(a.triggeredAt);
}

export default async function homePage(view, _params, page) {
  const briefingSlot = h('div');
  const announcer = h('p', { class: 'visually-hidden', id: 'feed-announcer', role: 'status', 'aria-live': 'polite' });
  const filter = h('select', { id: 'feed-status' }, FILTERS.map(([value, text]) => h('option', { value }, text)));
  const feed = h('div', { id: 'feed' });
  view.append(
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Today'),
      h('p', {}, 'What changed in your numbers, why, and what to do about it.'))),
    h('div', { class: 'home' }, briefingSlot,
      h('section', { class: 'section', 'aria-labelledby': 'feed-title' },
        h('div', { class: 'feed-head' }, h('h2', { id: 'feed-title' }, 'Thoughts'),
          h('div', { class: 'field-row' }, h('label', { for: 'feed-status' }, 'Show'), filter)),
        announcer, feed)));

  const state = { thoughts: [], registry: null, status: 'ACTIVE', loaded: false, arrived: new Map() };
  const draw = () => {
    const list = state.thoughts.filter((t) => !state.status || t.status === state.status).sort(byUrgency);
    if (!list.length) {
      replace(feed, empty(state.status === 'ACTIVE'
        ? 'No active thoughts: nothing in the latest data needs attention.' : 'No thoughts with this status.'));
      return;
    }
    replace(feed, h('ol', { class: 'feed', 'aria-label': 'Thoughts, most urgent first' },
      list.map((t) => {
        const card = thoughtCard(t, state.registry, (run, message) => change(t, run, message));
        if (Date.now() - (state.arrived.get(t.id) || 0) < NEW_FOR_MS) card.classList.add('is-new');
        return card;
      })));
  };
  const change = async (thought, run, message) => {
    try {
      const data = await run();
      const changed = data.dismissThought || data.snoozeThought;
      Object.assign(thought, changed);
      announcer.textContent = message;
      draw();
    } catch (error) {
      announcer.textContent = errorText(error);
      alertIn(feed, error);
    }
  };
  const fetchFeed = () => gql(THOUGHTS, { status: state.status || null });
  const apply = (data) => {
    // Thoughts that arrived live while this answer was on its way stay in the feed.
    const fetched = new Set(data.thoughts.map((t) => t.id));
    const live = state.thoughts.filter((t) => state.arrived.has(t.id) && !fetched.has(t.id));
    state.thoughts = data.thoughts.concat(live);
    state.loaded = true;
    draw();
  };
  // Metric names and units label the evidence chips. They cost the API a read of the whole metric
  // registry, so the feed does not wait for them: the chips show metric ids until they arrive.
  const labels = () => metricRegistry().then((registry) => {
    if (state.registry === registry || page.signal.aborted) return;
    state.registry = registry;
    if (state.loaded && !feed.contains(document.activeElement)) draw();
  });
  const load = async () => apply(await fetchFeed());
  filter.addEventListener('change', async () => {
    state.status = filter.value;
    replace(feed, loading('Loading thoughts…'));
    try { await load(); } catch (error) { replace(feed, failure(error, load)); }
  });

  // The feed is asked for at once; subscribing and drawing wait for the sign-in check.
  const first = fetchFeed();
  first.catch(() => {});
  await page.booted;
  labels().catch(() => {});
  const stop = page.app.live.subscribe(EVENTS, {}, {
    next: ({ data }) => {
      const event = data && data.thoughtEvents;
      if (!event || !event.thought) return;
      state.thoughts = state.thoughts.filter((t) => t.id !== event.thoughtId).concat(event.thought);
      announcer.textContent = `Thought ${event.kind}: ${event.thought.definition.name}`;
      state.arrived.set(event.thoughtId, Date.now());
      draw();
    },
    error: (errors) => alertIn(feed, { message: `Live updates stopped: ${errors.map((e) => e.message).join('; ')}` }),
  });
  const resumed = () => load().catch(() => {});
  window.addEventListener('miq:resumed', resumed);
  page.onLeave(() => { stop(); window.removeEventListener('miq:resumed', resumed); });

  apply(await first);
  page.ready();
  await page.drawn();
  // The briefing may be written on its first request: it follows the feed rather than delaying it.
  if (hasFeature('query', 'briefing') && !page.signal.aborted) briefingCard(briefingSlot, page).catch(() => {});
}

function alertIn(container, error) {
  container.prepend(h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
}
