// The dashboard's entry: the view state, the refresh loop and the operator's commands.
//
// The view (status filter, page size, page cursor, open job) lives in the URL, so a reload,
// a bookmark or the Back button keeps it; the cursors of the pages before this one ride in
// history.state, which is what "← Newer" walks back through. Every 3 s the page fetches
// /health, the current page of /jobs and the open job, and redraws in place. It pauses while
// the tab is hidden, and when the server asks for a token (401) until one is given.

import { ApiError, api, serverNow, token } from './api.js';
import { byId } from './dom.js';
import { formatTime, STATUSES } from './format.js';
import { JobDetail } from './job-detail.js';
import { JobsTable } from './jobs-table.js';
import { CountTiles, renderHealth, renderPoller, renderScheduler } from './overview.js';

const REFRESH_MS = 3000;
// The same choices as the select in index.html.
const LIMITS = [25, 50, 100];
const DEFAULT_LIMIT = 25;
const NOTICE_MS = 12_000;

const el = {
  app: byId('app'),
  banner: byId('banner'),
  health: byId('health'),
  version: byId('version'),
  live: byId('live'),
  pause: byId('pause'),
  forgetToken: byId('forget-token'),
  tokenPanel: byId('token-panel'),
  tokenForm: byId('token-form'),
  tokenInput: byId('token-input'),
  tokenReason: byId('token-reason'),
  scheduler: byId('scheduler'),
  poller: byId('poller'),
  showing: byId('showing'),
  limit: byId('limit'),
  newer: byId('newer'),
  older: byId('older'),
  pageNumber: byId('page-number'),
  notice: byId('notice'),
  empty: byId('empty'),
  detail: byId('detail'),
  detailNotice: byId('detail-notice'),
};

// ---- view state <-> URL -------------------------------------------------------------------

function readLocation() {
  const query = new URLSearchParams(location.search);
  const wanted = (query.get('status') ?? '').split(',');
  const limit = Number(query.get('limit'));
  const cursor = query.get('cursor') || null;
  const previous = Array.isArray(history.state?.previous) ? history.state.previous.map(String) : [];
  return {
    statuses: STATUSES.filter((s) => wanted.includes(s)),
    limit: LIMITS.includes(limit) ? limit : DEFAULT_LIMIT,
    cursor,
    // Cursors of the pages before this one ('' = the first page). A bookmarked page has lost
    // them: "← Newer" then goes to the first page.
    previous: cursor ? (previous.length > 0 ? previous : ['']) : [],
    job: query.get('job') || null,
  };
}

function urlFor(v) {
  const query = new URLSearchParams();
  if (v.statuses.length > 0) query.set('status', v.statuses.join(','));
  if (v.limit !== DEFAULT_LIMIT) query.set('limit', String(v.limit));
  if (v.cursor) query.set('cursor', v.cursor);
  if (v.job) query.set('job', v.job);
  const search = query.toString();
  return search ? `/?${search}` : '/';
}

let view = readLocation();
let nextCursor = null;

function navigate(change) {
  view = { ...view, ...change };
  history.pushState({ previous: view.previous }, '', urlFor(view));
  syncDetail();
  refresh();
}

const firstPage = { cursor: null, previous: [] };

// ---- rendering -----------------------------------------------------------------------------

const tiles = new CountTiles(byId('counts'), (statuses) => navigate({ statuses, ...firstPage }));

const ui = {
  hrefFor: (id) => urlFor({ ...view, job: id }),
  open(event, id) {
    // Let the browser handle a new tab or window.
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate({ job: id });
  },
  act: (kind, id, button) => act(kind, id, button),
};

const table = new JobsTable(byId('jobs-body'), ui);
const detail = new JobDetail(byId('detail-title'), byId('detail-body'), ui);

function renderOverview(health, now) {
  renderHealth(el.health, health);
  el.version.textContent = health?.version ? `v${health.version}` : '';
  tiles.update(health?.jobs, view.statuses);
  renderScheduler(el.scheduler, health);
  renderPoller(el.poller, health?.sqs, now);
}

function renderPage(page, counts, now) {
  nextCursor = page.nextCursor ?? null;
  table.update(page.jobs, now);
  el.empty.hidden = page.jobs.length > 0;
  const pageIndex = view.previous.length;
  const first = pageIndex * view.limit + 1;
  const matching = counts
    ? (view.statuses.length > 0 ? view.statuses : STATUSES).reduce((sum, s) => sum + (counts[s] ?? 0), 0)
    : undefined;
  const filter = view.statuses.length > 0 ? view.statuses.join(', ') : 'all statuses';
  el.showing.textContent =
    page.jobs.length === 0
      ? `none · ${filter}`
      : `${first}–${first + page.jobs.length - 1}${matching === undefined ? '' : ` of ${matching}`} · ${filter}`;
  el.pageNumber.textContent = `page ${pageIndex + 1}`;
  el.newer.disabled = pageIndex === 0;
  el.older.disabled = nextCursor === null;
  el.limit.value = String(view.limit);
}

function syncDetail() {
  if (view.job && !el.detail.open) {
    detail.reset();
    el.detailNotice.hidden = true;
    el.detail.showModal();
  } else if (!view.job && el.detail.open) {
    el.detail.close();
  }
}

function showBanner(message) {
  el.banner.hidden = !message;
  el.banner.textContent = message ?? '';
}

let noticeTimer;
function notify(kind, message) {
  clearTimeout(noticeTimer);
  for (const target of [el.notice, el.detailNotice]) {
    target.hidden = false;
    target.dataset.kind = kind;
    target.textContent = message;
  }
  noticeTimer = setTimeout(() => {
    el.notice.hidden = true;
    el.detailNotice.hidden = true;
  }, NOTICE_MS);
}

// ---- the refresh loop ----------------------------------------------------------------------

let timer;
let inflight;
let paused = false;
let waitingForToken = false;

function setLive(text, state) {
  el.live.textContent = text;
  el.live.dataset.state = state;
}

function schedule() {
  clearTimeout(timer);
  if (paused || waitingForToken || document.hidden) {
    setLive(waitingForToken ? 'waiting for the token' : paused ? 'paused' : 'tab hidden: paused', 'paused');
    return;
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

/** /health is open even with a token; a 503 still carries a body worth showing. */
const readHealth = (signal) =>
  api.health(signal).catch((error) => {
    if (error instanceof ApiError && error.body?.status) return error.body;
    throw error;
  });

const readJob = (id, signal) =>
  api.job(id, signal).catch((error) => {
    if (error instanceof ApiError && error.status === 404) return { missing: error.message };
    throw error;
  });

async function refresh() {
  clearTimeout(timer);
  inflight?.abort();
  const controller = new AbortController();
  inflight = controller;
  const current = view;
  try {
    const [health, page, job] = await Promise.all([
      readHealth(controller.signal),
      api.jobs(current, controller.signal),
      current.job ? readJob(current.job, controller.signal) : undefined,
    ]);
    if (controller.signal.aborted) return;
    const now = serverNow();
    showBanner(
      health.status === 'unavailable' ? 'The server cannot use its database (GET /health answered 503).' : null,
    );
    renderOverview(health, now);
    renderPage(page, health.jobs, now);
    if (current.job && el.detail.open) {
      if (job?.missing) detail.missing(current.job, job.missing);
      else if (job) detail.update(job, now);
    }
    el.app.dataset.loaded = 'true';
    el.app.dataset.refreshedAt = String(Date.now());
    setLive(`live · updated ${formatTime(new Date(now).toISOString()).slice(11)}`, 'live');
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error instanceof ApiError && error.status === 401) {
      askForToken(
        token.get()
          ? 'The server refused this token. Enter it again.'
          : 'This server has API_TOKEN set: enter it to see and steer the queue.',
      );
      return;
    }
    showBanner(`Cannot refresh: ${error.message}${error.status ? ` (HTTP ${error.status})` : ''}. Retrying…`);
    setLive('offline', 'offline');
  } finally {
    if (inflight === controller) {
      inflight = undefined;
      schedule();
    }
  }
}

// ---- commands ------------------------------------------------------------------------------

const DONE = {
  retry: (id) => `Job ${id} is queued again.`,
  cancel: (id, answer) =>
    answer?.cancelled === false && answer?.cancelRequested
      ? `Cancel requested for job ${id}: it stops once its running attempt winds down.`
      : `Job ${id} is cancelled.`,
};

async function act(kind, id, button) {
  if (button) button.disabled = true;
  try {
    const answer = kind === 'retry' ? await api.retry(id) : await api.cancel(id);
    notify('ok', DONE[kind](id, answer));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      askForToken('The server refused this token. Enter it again, then repeat the command.');
      return;
    }
    const reason = error instanceof ApiError && error.status === 403 ? `not allowed: ${error.message}` : error.message;
    notify('error', `Could not ${kind} job ${id}: ${reason}${error.status ? ` (HTTP ${error.status})` : ''}`);
  } finally {
    if (button) button.disabled = false;
  }
  await refresh();
}

// ---- the token -----------------------------------------------------------------------------

function askForToken(reason) {
  token.clear();
  waitingForToken = true;
  el.forgetToken.hidden = true;
  el.tokenReason.textContent = reason;
  el.tokenPanel.hidden = false;
  el.app.hidden = true;
  if (el.detail.open) el.detail.close();
  el.tokenInput.focus();
  schedule();
}

el.tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const value = el.tokenInput.value.trim();
  if (!value) return;
  token.set(value);
  el.tokenInput.value = '';
  waitingForToken = false;
  el.tokenPanel.hidden = true;
  el.app.hidden = false;
  el.forgetToken.hidden = false;
  syncDetail();
  refresh();
});

el.forgetToken.addEventListener('click', () => {
  token.clear();
  el.forgetToken.hidden = true;
  refresh();
});

// ---- wiring --------------------------------------------------------------------------------

el.newer.addEventListener('click', () => {
  const previous = view.previous.slice(0, -1);
  navigate({ cursor: view.previous.at(-1) || null, previous });
});
el.older.addEventListener('click', () => {
  if (nextCursor) navigate({ cursor: nextCursor, previous: [...view.previous, view.cursor ?? ''] });
});
el.limit.addEventListener('change', () => navigate({ limit: Number(el.limit.value), ...firstPage }));

el.pause.addEventListener('click', () => {
  paused = !paused;
  el.pause.setAttribute('aria-pressed', String(paused));
  el.pause.textContent = paused ? 'Resume' : 'Pause';
  if (paused) schedule();
  else refresh();
});

byId('detail-close').addEventListener('click', () => el.detail.close());
// Esc, the close button or navigation: the URL drops the job unless it already has.
el.detail.addEventListener('close', () => {
  // Closed to ask for the token: the job stays in the URL and opens again once it is given.
  if (view.job && !waitingForToken) navigate({ job: null });
});
// A click on the backdrop (outside the dialog's box) closes it too.
el.detail.addEventListener('click', (event) => {
  if (event.target === el.detail) {
    const box = el.detail.getBoundingClientRect();
    const inside =
      event.clientX >= box.left &&
      event.clientX <= box.right &&
      event.clientY >= box.top &&
      event.clientY <= box.bottom;
    if (!inside) el.detail.close();
  }
});

window.addEventListener('popstate', () => {
  view = readLocation();
  syncDetail();
  refresh();
});

document.addEventListener('visibilitychange', () => {
  if (document.hidden) schedule();
  else if (!paused && !waitingForToken) refresh();
});

el.forgetToken.hidden = !token.get();
syncDetail();
refresh();
