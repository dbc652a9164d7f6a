// Today's briefing: headline, sections with their sources, read aloud with speechSynthesis.

import { gql, hasFeature } from '../api.js';
import { actionButton, errorText, h, link, replace } from '../dom.js';
import { formatDate, formatDateTime } from '../format.js';
import { canAct } from '../session.js';
import { speak, speechAvailable, stopSpeaking } from '../speech.js';

const FIELDS = 'date generatedAt headline sections { title items { text speech numbers sources } } text speech';
const BRIEFING = `query Briefing($date: Date) { briefing(date: $date) { ${FIELDS} } }`;
const REGENERATE = `mutation { regenerateBriefing { ${FIELDS} } }`;

export async function briefingCard(slot, page) {
  const card = h('section', { class: 'card briefing', id: 'briefing', 'aria-labelledby': 'briefing-title', 'aria-busy': 'true' },
    h('h2', { id: 'briefing-title' }, 'Morning briefing'), h('p', { class: 'state state-loading' }, 'Preparing today’s briefing…'));
  slot.append(card);
  page.onLeave(stopSpeaking);
  try {
    const { briefing } = await gql(BRIEFING, { date: null });
    draw(card, briefing);
  } catch (error) {
    if (error.code === 'GRAPHQL_VALIDATION_FAILED' || /Cannot query field/.test(error.message)) {
      card.remove();
      return;
    }
    replace(card, h('h2', { id: 'briefing-title' }, 'Morning briefing'),
      h('p', { class: 'notice notice-error', role: 'alert' }, `The briefing could not be loaded: ${errorText(error)}`));
  } finally {
    card.removeAttribute('aria-busy');
  }
}

function sourceLink(source) {
  return source.startsWith('ti_')
    ? link(`#/thoughts/${encodeURIComponent(source)}`, 'thought')
    : link(`#/metrics/${encodeURIComponent(source)}`, source);
}

function draw(card, briefing) {
  const title = h('h2', { id: 'briefing-title' }, 'Morning briefing');
  if (!briefing) {
    replace(card, title, h('p', { class: 'muted' }, 'There is no briefing for today yet.'));
    return;
  }
  const controls = h('div', { class: 'btn-row' });
  const speechNote = h('p', { class: 'muted small', role: 'status', hidden: true });
  if (speechAvailable()) {
    const play = h('button', { type: 'button', class: 'btn btn-small', id: 'briefing-play', 'aria-pressed': 'false' }, '▶ Play');
    const idle = () => { play.textContent = '▶ Play'; play.setAttribute('aria-pressed', 'false'); };
    play.addEventListener('click', () => {
      if (play.getAttribute('aria-pressed') === 'true') {
        stopSpeaking();
        idle();
        return;
      }
      play.textContent = '■ Stop';
      play.setAttribute('aria-pressed', 'true');
      speechNote.hidden = true;
      speak(briefing.speech, idle, (reason) => {
        speechNote.textContent = `This browser could not read the briefing aloud (${reason}).`;
        speechNote.hidden = false;
      });
    });
    controls.append(play);
  }
  if (canAct() && hasFeature('mutation', 'regenerateBriefing')) {
    controls.append(actionButton('Regenerate', async () => {
      try {
        draw(card, (await gql(REGENERATE)).regenerateBriefing);
      } catch (error) {
        card.append(h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
      }
    }, { class: 'btn btn-small btn-quiet' }));
  }
  replace(card,
    h('div', { class: 'feed-head' }, h('h2', { id: 'briefing-title' }, `Morning briefing · ${formatDate(briefing.date)}`), controls),
    speechNote,
    h('p', { class: 'headline' }, briefing.headline),
    briefing.sections.map((section) => h('div', { class: 'briefing-section' },
      h('h3', {}, section.title),
      section.items.length
        ? h('ul', {}, section.items.map((item) => h('li', {}, item.text,
          item.sources.length ? h('span', { class: 'muted small' }, ' (', item.sources.map((s, i) => [i ? ', ' : '', sourceLink(s)]), ')') : null)))
        : h('p', { class: 'muted small' }, 'Nothing to report.'))),
    h('p', { class: 'muted small' }, `Prepared ${formatDateTime(briefing.generatedAt)}.`));
}
