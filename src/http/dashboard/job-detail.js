// One job in full (GET /jobs/:id): facts, result (file, size, SHA-256), the whole error,
// every attempt and the metadata. Redrawn only when the job changed, so text being selected
// (a checksum to copy) is not wiped by the refresh.

import { fill, h, progressBar, statusCell } from './dom.js';
import {
  attemptDuration,
  formatAge,
  formatBytes,
  formatCount,
  formatDuration,
  formatTime,
  jobDuration,
  progressOf,
  safeHref,
} from './format.js';
import { actionButtons } from './jobs-table.js';

const fact = (term, value, name) =>
  value === undefined || value === null || value === ''
    ? null
    : [h('dt', {}, term), h('dd', { dataset: { fact: name } }, value)];

const time = (iso, now) => (iso ? h('time', { datetime: iso }, `${formatTime(iso)} (${formatAge(iso, now)})`) : null);

function section(title, name, ...content) {
  return h('section', { class: 'detail-section', dataset: { section: name } }, h('h3', {}, title), content);
}

function urlValue(url) {
  if (!url) return null;
  const href = safeHref(url);
  // Full URL as text; a link only for http(s), opened without a referrer or a handle on us.
  return href
    ? h('a', { href, class: 'url-full', target: '_blank', rel: 'noopener noreferrer' }, url)
    : h('span', { class: 'url-full' }, url);
}

function resultSection(result) {
  if (!result) return null;
  const { file, bytes, sha256, contentType, ...rest } = result;
  return section(
    'Result',
    'result',
    h(
      'dl',
      { class: 'facts' },
      fact('File', file === undefined ? undefined : h('code', {}, String(file)), 'file'),
      fact(
        'Size',
        typeof bytes === 'number' ? `${formatBytes(bytes)} (${formatCount(bytes)} bytes)` : undefined,
        'size',
      ),
      fact('SHA-256', sha256 === undefined ? undefined : h('code', { class: 'hash' }, String(sha256)), 'sha256'),
      fact('Content type', contentType ?? undefined, 'content-type'),
    ),
    Object.keys(rest).length > 0 ? h('pre', { class: 'json' }, JSON.stringify(rest, null, 2)) : null,
  );
}

function errorSection(error) {
  if (!error) return null;
  return section(
    'Error',
    'error',
    h(
      'dl',
      { class: 'facts' },
      fact('Code', h('code', {}, String(error.code ?? '')), 'error-code'),
      fact('Retryable', error.retryable ? 'yes' : 'no', 'retryable'),
    ),
    h('pre', { class: 'error-message', dataset: { fact: 'error-message' } }, String(error.message ?? '')),
  );
}

function historySection(attempts, now) {
  if (!Array.isArray(attempts) || attempts.length === 0)
    return section('Attempts', 'attempts', h('p', { class: 'muted' }, 'No attempt yet.'));
  const rows = attempts.map((a) =>
    h(
      'tr',
      { dataset: { attempt: a.attempt, outcome: a.outcome } },
      h('td', { 'data-label': '#', class: 'num' }, String(a.attempt)),
      h('td', { 'data-label': 'Started' }, formatTime(a.startedAt)),
      h('td', { 'data-label': 'Duration', class: 'num' }, formatDuration(attemptDuration(a, now))),
      h('td', { 'data-label': 'Outcome' }, h('span', { class: `outcome outcome-${a.outcome}` }, String(a.outcome))),
      h('td', { 'data-label': 'Error', class: 'error-text' }, a.error ? `${a.error.code}: ${a.error.message}` : ''),
    ),
  );
  return section(
    'Attempts',
    'attempts',
    h(
      'table',
      { class: 'attempts' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['#', 'Started', 'Duration', 'Outcome', 'Error'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

export class JobDetail {
  /** ui: { act(kind, id, button) } */
  constructor(title, body, ui) {
    this.title = title;
    this.body = body;
    this.ui = ui;
    this.key = undefined;
  }

  reset() {
    this.key = undefined;
    this.title.textContent = 'Job';
    fill(this.body, h('p', { class: 'muted' }, 'Loading…'));
  }

  missing(id, message) {
    this.key = undefined;
    this.title.textContent = `Job ${id}`;
    fill(this.body, h('p', { class: 'banner' }, message));
  }

  update(job, now) {
    const key = JSON.stringify(job);
    // A running job changes every refresh anyway (progress, duration); others only when they change.
    if (key === this.key && job.status !== 'running') return;
    this.key = key;
    this.title.textContent = `Job ${job.id}`;
    const progress = job.status === 'running' ? progressOf(job) : undefined;
    const metadata = job.metadata && Object.keys(job.metadata).length > 0 ? job.metadata : undefined;
    fill(
      this.body,
      h(
        'div',
        { class: 'detail-status' },
        h(
          'span',
          {},
          statusCell(job.status, job.status === 'running' && job.cancelRequested ? 'cancelling' : undefined),
        ),
        h('span', { class: 'actions' }, actionButtons(job, this.ui)),
      ),
      progress ? progressBar(progress) : null,
      h(
        'dl',
        { class: 'facts' },
        fact('URL', urlValue(job.url), 'url'),
        fact('Type', job.type, 'type'),
        fact('Source', job.source, 'source'),
        fact('Attempts', `${job.attempts} of ${job.maxAttempts}`, 'attempts'),
        fact('Created', time(job.createdAt, now), 'created'),
        job.status === 'queued' ? fact('Runs at', time(job.runAt, now), 'run-at') : null,
        fact('Started', time(job.startedAt, now), 'started'),
        fact('Finished', time(job.finishedAt, now), 'finished'),
        fact('Duration', formatDuration(jobDuration(job, now)), 'duration'),
        fact('Updated', time(job.updatedAt, now), 'updated'),
      ),
      resultSection(job.result),
      errorSection(job.error),
      historySection(job.attemptHistory, now),
      metadata ? section('Metadata', 'metadata', h('pre', { class: 'json' }, JSON.stringify(metadata, null, 2))) : null,
    );
  }
}
