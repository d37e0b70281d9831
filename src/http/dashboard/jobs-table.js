// The jobs table: one row per job, keyed by id and updated in place. A cell is redrawn only
// when its text changes, so the buttons under the pointer survive the refresh every few
// seconds. Below 760 px the CSS turns each row into a card, labelled from data-label.

import { h, progressBar, statusCell } from './dom.js';
import {
  canCancel,
  canRetry,
  errorText,
  formatAgeShort,
  formatBytes,
  formatDuration,
  formatSpanShort,
  formatTime,
  jobDuration,
  progressOf,
  shortUrl,
} from './format.js';

/** A queued job that waits for its run time: first run later, or a retry after backoff. */
function waitingNote(job, now) {
  const runAt = Date.parse(job.runAt ?? '');
  if (job.status !== 'queued' || Number.isNaN(runAt) || runAt <= now + 1000) return undefined;
  return `${job.attempts > 0 ? 'retry' : 'starts'} in ${formatSpanShort(runAt - now)}`;
}

function statusNote(job, now) {
  if (job.status === 'running' && job.cancelRequested) return 'cancelling';
  return waitingNote(job, now);
}

/** Each column: a label, the cell's text signature, and how to draw it. */
const COLUMNS = [
  {
    label: 'Job',
    key: (job, _now, ui) => `${ui.hrefFor(job.id)}\n${job.source}`,
    draw: (job, ui) => [
      h(
        'a',
        { class: 'job-link', href: ui.hrefFor(job.id), title: job.id, onclick: (e) => ui.open(e, job.id) },
        job.id,
      ),
      h('span', { class: 'source' }, job.source),
    ],
  },
  {
    label: 'Status',
    key: (job, now) => `${job.status}\n${statusNote(job, now) ?? ''}`,
    draw: (job, _ui, now) => statusCell(job.status, statusNote(job, now)),
  },
  {
    label: 'URL',
    key: (job) => job.url ?? '',
    draw: (job) => (job.url ? h('span', { class: 'url', title: job.url }, shortUrl(job.url)) : h('span', {}, '—')),
  },
  {
    label: 'Attempts',
    class: 'num',
    key: (job) => `${job.attempts}/${job.maxAttempts}`,
    draw: (job) => `${job.attempts}/${job.maxAttempts}`,
  },
  {
    label: 'Age',
    class: 'num',
    key: (job, now) => formatAgeShort(job.createdAt, now),
    draw: (job, _ui, now) => h('span', { title: formatTime(job.createdAt) }, formatAgeShort(job.createdAt, now)),
  },
  {
    label: 'Duration',
    class: 'num',
    key: (job, now) => formatDuration(jobDuration(job, now)),
    draw: (job, _ui, now) => formatDuration(jobDuration(job, now)),
  },
  {
    label: 'Progress',
    key: (job) => (job.status === 'running' ? (progressOf(job)?.short ?? 'starting') : (job.result?.bytes ?? '')),
    draw: (job) => {
      if (job.status === 'running') {
        const progress = progressOf(job);
        return progress ? progressBar(progress, true) : h('span', { class: 'muted' }, 'starting…');
      }
      return typeof job.result?.bytes === 'number' ? formatBytes(job.result.bytes) : '';
    },
  },
  {
    label: 'Last error',
    key: (job) => errorText(job.error),
    draw: (job) =>
      job.error ? h('span', { class: 'error-text', title: errorText(job.error) }, errorText(job.error)) : '',
  },
  {
    label: 'Actions',
    class: 'actions',
    key: (job) => `${canRetry(job)}${canCancel(job)}`,
    draw: (job, ui) => actionButtons(job, ui),
  },
];

export function actionButtons(job, ui) {
  return [
    canRetry(job)
      ? h(
          'button',
          { type: 'button', class: 'action retry', onclick: (e) => ui.act('retry', job.id, e.currentTarget) },
          'Retry',
        )
      : null,
    canCancel(job)
      ? h(
          'button',
          { type: 'button', class: 'action cancel', onclick: (e) => ui.act('cancel', job.id, e.currentTarget) },
          'Cancel',
        )
      : null,
  ];
}

export class JobsTable {
  /** ui: { hrefFor(id), open(event, id), act(kind, id, button) } */
  constructor(tbody, ui) {
    this.tbody = tbody;
    this.ui = ui;
    this.rows = new Map();
  }

  update(jobs, now) {
    const seen = new Set();
    jobs.forEach((job, index) => {
      seen.add(job.id);
      let row = this.rows.get(job.id);
      if (!row) {
        row = this.createRow();
        this.rows.set(job.id, row);
      }
      row.element.dataset.jobId = job.id;
      row.element.dataset.status = job.status;
      COLUMNS.forEach((column, i) => {
        const key = column.key(job, now, this.ui);
        if (row.keys[i] === key) return;
        row.keys[i] = key;
        row.cells[i].replaceChildren();
        const drawn = column.draw(job, this.ui, now);
        for (const part of [drawn].flat()) if (part) row.cells[i].append(part);
      });
      const at = this.tbody.children[index];
      if (at !== row.element) this.tbody.insertBefore(row.element, at ?? null);
    });
    for (const [id, row] of this.rows) {
      if (seen.has(id)) continue;
      row.element.remove();
      this.rows.delete(id);
    }
  }

  createRow() {
    const cells = COLUMNS.map((column) => h('td', { class: column.class, 'data-label': column.label }));
    return { element: h('tr', {}, cells), cells, keys: [] };
  }
}
