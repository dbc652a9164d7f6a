// The agent chat panel, on every page once signed in: streamed answers over the `agentChat`
// subscription, tool calls as small notes, follow-ups in the same conversation, voice input where
// the browser has SpeechRecognition, and read-aloud.

import { errorText, h, replace } from '../dom.js';
import { listener, recognitionAvailable, speak, speechAvailable, stopSpeaking } from '../speech.js';

const AGENT_CHAT = `subscription Chat($message: String!, $conversationId: ID) {
  agentChat(message: $message, conversationId: $conversationId) { conversationId kind text tool unverified } }`;
const MAX_MESSAGE = 500;

export function mountChat(app) {
  const state = { conversationId: null, stop: null };
  const log = h('div', { class: 'chat-log', id: 'chat-log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' },
    intro());
  const input = h('textarea', { id: 'chat-input', name: 'message', rows: 2, maxlength: MAX_MESSAGE, required: true,
    placeholder: 'e.g. Why did cost per click go up?' });
  const send = h('button', { type: 'submit', class: 'btn btn-small', id: 'chat-send' }, 'Send');
  const restart = h('button', { type: 'button', class: 'btn btn-small btn-quiet' }, 'New conversation');
  const voice = voiceButton(input, () => form.requestSubmit());
  const form = h('form', { class: 'chat-form' },
    h('label', { for: 'chat-input' }, 'Ask about your numbers'), input,
    h('div', { class: 'btn-row' }, h('span', { class: 'btn-row' }, restart, voice), send));
  const close = h('button', { type: 'button', class: 'btn btn-small btn-quiet', 'aria-label': 'Close the chat' }, 'Close');
  const panel = h('aside', { class: 'chat-panel', id: 'chat-panel', hidden: true, 'aria-labelledby': 'chat-title' },
    h('header', {}, h('h2', { id: 'chat-title' }, 'Ask Marketing IQ'), close), log, form);
  const toggle = h('button', { type: 'button', class: 'btn chat-toggle', id: 'chat-toggle',
    'aria-expanded': 'false', 'aria-controls': 'chat-panel' }, 'Ask Marketing IQ');

  const open = (show) => {
    panel.hidden = !show;
    toggle.hidden = show;
    toggle.setAttribute('aria-expanded', String(show));
    (show ? input : toggle).focus();
  };
  toggle.addEventListener('click', () => open(true));
  close.addEventListener('click', () => open(false));
  const escape = (event) => { if (event.key === 'Escape' && !panel.hidden) open(false); };
  document.addEventListener('keydown', escape);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  restart.addEventListener('click', () => {
    if (state.stop) state.stop();
    Object.assign(state, { conversationId: null, stop: null });
    stopSpeaking();
    replace(log, intro());
    send.disabled = false;
    input.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const message = input.value.trim();
    if (!message || send.disabled) return;
    input.value = '';
    ask(app, state, log, message, send);
    input.focus();
  });
  document.body.append(toggle, panel);
  const remove = () => {
    if (state.stop) state.stop();
    stopSpeaking();
    document.removeEventListener('keydown', escape);
    toggle.remove();
    panel.remove();
  };
  return { remove };
}

function intro() {
  return h('p', { class: 'muted small' }, 'Ask what changed, why, and what it affects. Follow-up questions keep the context.');
}

function ask(app, state, log, message, send) {
  send.disabled = true;
  log.append(h('div', { class: 'chat-msg user' }, message));
  let bubble = null;
  let words = null;
  let text = '';
  let finished = false;
  const scroll = () => { log.scrollTop = log.scrollHeight; };
  const answer = () => {
    if (!bubble) {
      words = h('p', { class: 'chat-text' });
      bubble = h('div', { class: 'chat-msg agent', 'aria-busy': 'true' }, words);
      log.append(bubble);
    }
    return bubble;
  };
  const finish = (note) => {
    if (finished) return;
    finished = true;
    state.stop = null;
    send.disabled = false;
    const box = answer();
    box.removeAttribute('aria-busy');
    if (note) box.append(h('p', { class: 'small muted' }, note));
    if (text && speechAvailable()) {
      box.append(h('div', { class: 'btn-row' },
        h('button', { type: 'button', class: 'btn btn-small btn-quiet', onclick: () => speak(text) }, 'Read aloud')));
    }
    scroll();
  };
  state.stop = app.live.subscribe(AGENT_CHAT, { message, conversationId: state.conversationId }, {
    next: ({ data, errors }) => {
      if (errors && errors.length) return finish(`Error: ${errors.map((e) => e.message).join('; ')}`);
      const chunk = data && data.agentChat;
      if (!chunk) return undefined;
      state.conversationId = chunk.conversationId;
      if (chunk.kind === 'tool_call') {
        log.insertBefore(h('p', { class: 'chat-tool' }, `Tool · ${chunk.text || chunk.tool || 'a tool'}`), bubble);
      } else if (chunk.kind === 'text') {
        text += chunk.text;
        answer();
        words.textContent = text;
      } else if (chunk.kind === 'error') {
        finish(`Error: ${chunk.text}`);
      } else if (chunk.kind === 'done') {
        finish(chunk.unverified ? `${chunk.unverified} number(s) in this answer could not be traced to the data.` : '');
      }
      scroll();
      return undefined;
    },
    error: (errors) => finish(`The assistant could not answer: ${errors.map((e) => errorText(e)).join('; ')}`),
    complete: () => finish(''),
  });
}

function voiceButton(input, submit) {
  let listening = null;
  const button = h('button', { type: 'button', class: 'btn btn-small btn-quiet', 'aria-pressed': 'false' }, 'Voice input');
  const idle = () => { listening = null; button.setAttribute('aria-pressed', 'false'); button.textContent = 'Voice input'; };
  if (!recognitionAvailable()) return null;
  button.addEventListener('click', () => {
    if (listening) {
      listening.stop();
      return;
    }
    listening = listener((words) => { input.value = words; submit(); }, idle);
    button.setAttribute('aria-pressed', 'true');
    button.textContent = '■ Listening…';
    listening.start();
  });
  return button;
}
