// The storefront's page mechanics, apart from what it shows: escaping, messages next to what they
// concern, the confirmation dialog, and focus.

import { t } from './i18n.js';

export const $ = (selector, root = document) => root.querySelector(selector);

export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** The message `key` (see i18n.js) escaped for HTML. */
export const th = (key, values) => esc(t(key, values));

/** Scrolls `element` into view and gives it the focus (a screen reader reads it, with its description). */
export function reveal(element) {
  element.scrollIntoView({ block: 'center' });
  element.focus({ preventScroll: true });
}

/** Information (not an error), announced politely: "added to the cart", "refund under way". The region stays in the page, empty when silent, so that screen readers follow it. */
export function say(text) {
  const box = $('#message');
  box.textContent = text;
}

/** Takes a message under a field away: off the field's description, and the field valid again once no error is left. */
function detach(message) {
  const field = document.querySelector(`[aria-describedby~="${message.id}"]`);
  if (field) {
    const rest = field.getAttribute('aria-describedby').split(/\s+/).filter((id) => id !== message.id);
    if (rest.length) field.setAttribute('aria-describedby', rest.join(' '));
    else field.removeAttribute('aria-describedby');
    if (message.classList.contains('field-error')) field.removeAttribute('aria-invalid');
  }
  message.remove();
}

/** Removes every error (and note) the page shows, so that the next action starts clean. */
export function clearErrors() {
  document.querySelectorAll('.error-box').forEach((box) => box.remove());
  document.querySelectorAll('.field-error, .field-note').forEach(detach);
}

/**
 * Removes the messages under fields that `source` put there (see {@link fieldError}), or those
 * under `field` whoever put them (the customer changed it: what was said of it is stale).
 */
export function clearFieldMessages({ source, field } = {}) {
  document.querySelectorAll('.field-error, .field-note').forEach((message) => {
    if (source !== undefined && message.dataset.source !== source) return;
    if (field && !(field.getAttribute('aria-describedby') ?? '').split(/\s+/).includes(message.id)) return;
    detach(message);
  });
}

/**
 * Shows `text` under the field (it must have an id), marks the field invalid and describes it by
 * the text. `focus`: reveals it. `note`: a remark, not an error (the field stays valid).
 * `invalid`: false for a group (a fieldset: the message goes inside it, the group is only
 * described by it). `source`: who says it, so that it can take back only its own (the
 * checkout's live summary).
 */
export function fieldError(field, text, { focus = true, note = false, invalid = !note, source = '' } = {}) {
  const id = `${field.id}-${note ? 'note' : 'error'}`;
  let message = document.getElementById(id);
  if (!message) {
    message = document.createElement('p');
    message.className = note ? 'field-note' : 'field-error';
    message.id = id;
    (field.matches('fieldset') ? field : (field.closest('.field') ?? field.parentElement)).append(message);
  }
  message.textContent = text;
  message.dataset.source = source;
  if (invalid) field.setAttribute('aria-invalid', 'true');
  const described = new Set((field.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean));
  described.add(id);
  field.setAttribute('aria-describedby', [...described].join(' '));
  if (focus) reveal(field);
}

/**
 * Shows an error next to `anchor`: in its form (above the form's buttons), goods card, table
 * cell, panel or `.error-host`; after a row of actions; at the top of the page without any. The
 * box is an alert (announced), scrolled into view and focused unless `focus` is false. `retry`
 * adds a "Try again" button that runs it.
 */
export function showError(anchor, text, { retry, focus = true } = {}) {
  const host = (anchor?.isConnected && anchor.closest('.error-host, form, .card, td, .panel, .actions')) || $('#alert-host');
  const box = document.createElement('div');
  box.className = 'error-box';
  box.setAttribute('role', 'alert');
  box.tabIndex = -1;
  const message = document.createElement('p');
  message.textContent = text;
  box.append(message);
  if (retry) {
    const again = document.createElement('button');
    again.type = 'button';
    again.className = 'retry';
    again.textContent = t('action.retry');
    again.addEventListener('click', () => retry());
    box.append(again);
  }
  if (host.matches('.actions')) host.after(box);
  else if (host.matches('form') && $(':scope > .actions', host)) $(':scope > .actions', host).before(box);
  else host.append(box);
  if (focus) reveal(box);
  return box;
}

/**
 * Asks before an action that cannot be undone: a modal dialog (focus kept inside, Escape
 * answers no, the focus returns where it was). Answers whether the customer confirmed.
 */
export function confirmDialog({ title, text, yes, no }) {
  const dialog = $('#confirm');
  $('#confirm-title').textContent = title;
  $('#confirm-text').textContent = text;
  $('#confirm-yes').textContent = yes;
  $('#confirm-no').textContent = no;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true }));
}
