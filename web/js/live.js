// A small graphql-transport-ws client over the browser WebSocket: connection_init with the token,
// subscribe / next / error / complete, ping and pong, and reconnection with backoff that
// re-subscribes everything still wanted. Close code 4403 means the token was refused.

import { authLost } from './api.js';

const PROTOCOL = 'graphql-transport-ws';
const ACK_TIMEOUT_MS = 10000;
const PING_EVERY_MS = 20000;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000, 30000];

export class LiveClient {
  constructor({ url, token, onStatus = () => {} }) {
    this.url = url;
    this.token = token;
    this.onStatus = onStatus;
    this.subscriptions = new Map();
    this.socket = null;
    this.acked = false;
    this.attempt = 0;
    this.nextId = 1;
    this.closed = false;
    this.connectedBefore = false;
    this.timers = {};
  }

  /** Starts an operation; returns a function that stops it. Handlers: next, error, complete. */
  subscribe(query, variables, handlers) {
    const id = String(this.nextId++);
    this.subscriptions.set(id, { query, variables, handlers });
    if (this.acked) this.send({ id, type: 'subscribe', payload: { query, variables } });
    else this.connect();
    return () => this.stop(id);
  }

  stop(id) {
    if (!this.subscriptions.delete(id)) return;
    if (this.acked) this.send({ id, type: 'complete' });
  }

  close() {
    this.closed = true;
    this.clearTimers();
    if (this.socket) this.socket.close(1000, 'signed out');
    this.socket = null;
    this.subscriptions.clear();
    this.onStatus('offline');
  }

  connect() {
    if (this.closed || this.socket) return;
    this.onStatus(this.attempt ? 'reconnecting' : 'connecting');
    const socket = new WebSocket(this.url, PROTOCOL);
    this.socket = socket;
    this.acked = false;
    socket.onopen = () => {
      this.send({ type: 'connection_init', payload: { authorization: `Bearer ${this.token}` } });
      this.timers.ack = setTimeout(() => socket.close(4408, 'no connection_ack'), ACK_TIMEOUT_MS);
    };
    socket.onmessage = (event) => this.receive(JSON.parse(event.data));
    socket.onclose = (event) => this.lost(socket, event);
  }

  receive(message) {
    const sub = message.id ? this.subscriptions.get(message.id) : null;
    switch (message.type) {
      case 'connection_ack':
        clearTimeout(this.timers.ack);
        this.acked = true;
        this.attempt = 0;
        this.onStatus('live', { resumed: this.connectedBefore === true });
        this.connectedBefore = true;
        for (const [id, s] of this.subscriptions) {
          this.send({ id, type: 'subscribe', payload: { query: s.query, variables: s.variables } });
        }
        this.timers.ping = setInterval(() => this.send({ type: 'ping' }), PING_EVERY_MS);
        break;
      case 'ping':
        this.send({ type: 'pong' });
        break;
      case 'next':
        if (sub) sub.handlers.next && sub.handlers.next(message.payload);
        break;
      case 'error':
        this.subscriptions.delete(message.id);
        if (sub && sub.handlers.error) sub.handlers.error(message.payload);
        break;
      case 'complete':
        this.subscriptions.delete(message.id);
        if (sub && sub.handlers.complete) sub.handlers.complete();
        break;
      default:
        break;
    }
  }

  lost(socket, event) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.acked = false;
    this.clearTimers();
    if (this.closed) return;
    if (event.code === 4403 || event.code === 4401) {
      this.closed = true;
      this.onStatus('offline');
      authLost('The live connection refused your token. Please sign in again.');
      return;
    }
    const wait = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.onStatus('reconnecting');
    this.timers.retry = setTimeout(() => this.connect(), wait * (0.75 + Math.random() * 0.5));
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  clearTimers() {
    clearTimeout(this.timers.ack);
    clearTimeout(this.timers.retry);
    clearInterval(this.timers.ping);
    this.timers = {};
  }
}

export function liveUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/graphql`;
}
