// Building DOM without HTML strings. Everything the API returns comes from untrusted SQS
// messages (ids, URLs, errors, metadata), so text only ever goes into text nodes: `h()` has
// no way to set innerHTML, and attribute names are always written in this code, never data.

/**
 * h('td', { class: 'x', title: text, onclick: fn }, child, 'text', [more]) → element.
 * Children: nodes, strings (text nodes), arrays, or null/undefined/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export const byId = (id) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} missing from index.html`);
  return element;
};

/** A status badge: colour from the class, meaning from the text (never colour alone). */
export const badge = (status) => h('span', { class: `badge status-${status}`, dataset: { status } }, status);

/** The badge, with a short note under it (a retry's wait, a cancel in progress). */
export const statusCell = (status, note) => [badge(status), note ? h('span', { class: 'status-note' }, note) : null];

/** A bar for a running download; indeterminate (striped) when the total size is unknown. */
export function progressBar(progress, compact = false) {
  const bar = h('span', { class: 'bar-fill' });
  if (progress.percent !== undefined) bar.style.width = `${progress.percent}%`;
  return h(
    'span',
    { class: 'progress' },
    h(
      'span',
      {
        class: progress.percent === undefined ? 'bar indeterminate' : 'bar',
        role: 'progressbar',
        'aria-label': 'download progress',
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': progress.percent,
        'aria-valuetext': progress.label,
      },
      bar,
    ),
    h('span', { class: 'progress-label', title: progress.label }, compact ? progress.short : progress.label),
  );
}
