// The top of the page, from GET /health: a tile per status (a filter toggle too), the
// scheduler's slots and the SQS poller's state.

import { fill, h } from './dom.js';
import { ellipsize, formatAge, formatCount, formatTime, STATUSES } from './format.js';

/**
 * Count tiles, made once and updated in place: a tile replaced while the pointer is on it
 * would swallow the click. `onFilter(statuses)` receives the new selection.
 */
export class CountTiles {
  constructor(container, onFilter) {
    this.tiles = new Map();
    this.selected = [];
    const all = this.tile('all', 'All', () => onFilter([]));
    const tiles = STATUSES.map((status) =>
      this.tile(status, status, () => {
        const next = this.selected.includes(status)
          ? this.selected.filter((s) => s !== status)
          : STATUSES.filter((s) => s === status || this.selected.includes(s));
        onFilter(next);
      }),
    );
    fill(container, all, tiles);
  }

  tile(key, label, onclick) {
    const count = h('span', { class: 'count-value', dataset: { countFor: key } }, '–');
    const button = h(
      'button',
      { type: 'button', class: `count-tile tile-${key}`, 'aria-pressed': 'false', dataset: { filter: key }, onclick },
      h('span', { class: 'count-label' }, label),
      count,
    );
    this.tiles.set(key, { button, count });
    return button;
  }

  update(counts, selected) {
    this.selected = selected;
    const total = counts ? STATUSES.reduce((sum, s) => sum + (counts[s] ?? 0), 0) : undefined;
    for (const [key, { button, count }] of this.tiles) {
      const value = key === 'all' ? total : counts?.[key];
      count.textContent = formatCount(value);
      const pressed = key === 'all' ? selected.length === 0 : selected.includes(key);
      button.setAttribute('aria-pressed', String(pressed));
    }
  }
}

const fact = (term, value, options = {}) => [
  h('dt', {}, term),
  h('dd', { class: options.class, title: options.title, dataset: options.dataset }, value),
];

export function renderScheduler(dl, health) {
  const scheduler = health?.scheduler;
  if (!scheduler) {
    fill(dl, fact('State', 'unknown'));
    return;
  }
  fill(
    dl,
    fact('State', scheduler.running ? 'running' : 'stopped', { class: scheduler.running ? 'good' : 'warn' }),
    fact('Slots in use', `${formatCount(scheduler.slotsInUse)} of ${formatCount(scheduler.slots)}`, {
      dataset: { fact: 'slots' },
    }),
    fact('Version', health.version ?? ''),
  );
}

export function renderPoller(dl, sqs, now) {
  if (!sqs) {
    fill(dl, fact('State', 'not reported'));
    return;
  }
  if (sqs.enabled === false) {
    fill(dl, fact('State', 'off (ENABLE_SQS_POLLING=false)', { dataset: { fact: 'poller-state' } }));
    return;
  }
  if (!sqs.queueUrl) {
    fill(
      dl,
      fact('State', sqs.degraded ? 'degraded' : 'idle', {
        class: sqs.degraded ? 'bad' : 'warn',
        dataset: { fact: 'poller-state' },
      }),
      sqs.note ? fact('Note', sqs.note) : null,
    );
    return;
  }
  const queueName = sqs.queueUrl.split('/').filter(Boolean).at(-1) ?? sqs.queueUrl;
  const state = sqs.degraded ? 'degraded' : sqs.running === false ? 'stopped' : 'polling';
  const lastError = sqs.lastError;
  fill(
    dl,
    fact('State', state, {
      class: sqs.degraded ? 'bad' : state === 'polling' ? 'good' : 'warn',
      dataset: { fact: 'poller-state' },
    }),
    fact('Queue', ellipsize(queueName, 40), { title: sqs.queueUrl }),
    fact('Last receive', sqs.lastReceiveAt ? formatAge(sqs.lastReceiveAt, now) : 'never', {
      title: formatTime(sqs.lastReceiveAt),
      dataset: { fact: 'last-receive' },
    }),
    fact('Errors in a row', formatCount(sqs.consecutiveErrors ?? 0), {
      class: sqs.consecutiveErrors > 0 ? 'bad' : undefined,
      dataset: { fact: 'consecutive-errors' },
    }),
    lastError
      ? fact('Last error', `${lastError.kind}: ${lastError.message} (${formatAge(lastError.at, now)})`, {
          class: 'error-text',
          title: formatTime(lastError.at),
          dataset: { fact: 'last-error' },
        })
      : null,
    fact(
      'Ingested',
      `${formatCount(sqs.ingested)} · rejected ${formatCount(sqs.rejected)} · duplicates ${formatCount(sqs.deduplicated)}`,
      { dataset: { fact: 'ingested' } },
    ),
  );
}

export function renderHealth(pill, health) {
  const status = health?.status ?? 'offline';
  pill.dataset.health = status;
  pill.textContent = status === 'ok' ? 'healthy' : status;
}
