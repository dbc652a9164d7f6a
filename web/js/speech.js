// The browser's speech: speechSynthesis to read aloud, SpeechRecognition (where it exists) to listen.

export function speechAvailable() {
  return 'speechSynthesis' in window && typeof window.SpeechSynthesisUtterance === 'function';
}

/** Reads `text` aloud; `onEnd` runs when it stops, `onError` (with the reason) when it cannot. */
export function speak(text, onEnd = () => {}, onError = () => {}) {
  if (!speechAvailable()) return onEnd();
  window.speechSynthesis.cancel();
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = 'en-US';
  utterance.onend = onEnd;
  utterance.onerror = (event) => {
    onEnd();
    if (event.error !== 'interrupted' && event.error !== 'canceled') onError(event.error);
  };
  window.speechSynthesis.speak(utterance);
  return undefined;
}

export function stopSpeaking() {
  if (speechAvailable()) window.speechSynthesis.cancel();
}

export function recognitionAvailable() {
  return Boolean(window.SpeechRecognition || window.webkitSpeechRecognition);
}

/** A one-utterance listener, or null where the browser has no speech recognition. */
export function listener(onText, onEnd) {
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (!Recognition) return null;
  const recognition = new Recognition();
  recognition.lang = 'en-US';
  recognition.interimResults = false;
  recognition.maxAlternatives = 1;
  recognition.onresult = (event) => onText(event.results[0][0].transcript);
  recognition.onend = onEnd;
  recognition.onerror = onEnd;
  return recognition;
}
