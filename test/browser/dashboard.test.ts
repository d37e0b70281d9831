/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
 * app with jobs in every status. Run with `npm run test:browser`; `npm test` leaves it out.
 */
import { networkInterfaces } from 'node:os';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Json } from '../helpers/api.js';
import { eventually, jobRow, launchChromium, nextRefresh, openDashboard, rowIds } from './browser.js';
import { type DemoOptions, type DemoServer, startDemoServer } from './demo-server.js';

// The browser globals the page functions below use (the test program has no DOM types).
interface PageElement {
  scrollWidth: number;
  clientWidth: number;
  getBoundingClientRect(): { width: number; right: number };
}
declare const document: { documentElement: PageElement };
declare const window: { __xss?: unknown; __polls?: number; innerWidth: number };
declare function getComputedStyle(element: unknown): { color: string; backgroundColor: string; display: string };

const TOKEN = 'dashboard-test-token-0123456789';
const DESKTOP = { width: 1280, height: 800 };
const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'rejected'] as const;

describe('dashboard (browser)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let context: BrowserContext | undefined;
  let server: DemoServer | undefined;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  /** Script errors and console errors (a CSP violation is one) of every page of the test. */
  let pageErrors: string[] = [];
  afterEach(async () => {
    await context?.close();
    await server?.close();
    context = undefined;
    server = undefined;
    const errors = pageErrors;
    pageErrors = [];
    expect(errors, 'errors in the page').to.deep.equal([]);
  });

  async function start(options: DemoOptions = {}, viewport = DESKTOP): Promise<Page> {
    server = await startDemoServer(options);
    context = await browser.newContext({ viewport });
    context.on('weberror', (error) => pageErrors.push(String(error.error())));
    context.on('console', (message) => {
      // Refused commands (401, 403, 409) are logged by Chrome as failed loads: expected here.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageErrors.push(message.text());
      }
    });
    return context.newPage();
  }

  /** The token the test's own API reads send, when the server has one. */
  const auth: { token?: string } = {};
  beforeEach(() => {
    auth.token = undefined;
  });

  /** A GET of the API from the test itself: what the page should be showing. */
  async function api(path: string): Promise<Json> {
    const headers = auth.token ? { authorization: `Bearer ${auth.token}` } : undefined;
    const response = await fetch(`${server?.url}${path}`, { headers });
    return response.json();
  }

  const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').trim();

  it('shows the counts per status as /health has them, and the newest jobs first as GET /jobs lists them', async () => {
    const page = await start({ history: 3 });
    await openDashboard(page, server?.url ?? '');

    const health = await api('/health');
    for (const status of STATUSES) {
      expect(await text(page, `[data-count-for="${status}"]`), status).to.equal(String(health.jobs[status]));
      expect(health.jobs[status], `demo has ${status} jobs`).to.be.greaterThan(0);
    }
    const total = STATUSES.reduce((sum, s) => sum + health.jobs[s], 0);
    expect(await text(page, '[data-count-for="all"]')).to.equal(String(total));

    const listed: Json = await api('/jobs?limit=25');
    expect(await rowIds(page)).to.deep.equal(listed.jobs.map((job: Json) => job.id));

    const failed = jobRow(page, 'clip-2037');
    expect(await failed.getAttribute('data-status')).to.equal('failed');
    expect(await failed.locator('td[data-label="Attempts"]').textContent()).to.equal('2/3');
    expect(await failed.locator('td[data-label="Last error"]').textContent()).to.equal(
      'http_status: the server answered HTTP 404',
    );
    expect(await failed.locator('button.retry').count()).to.equal(1);
    expect(await failed.locator('button.cancel').count()).to.equal(0);

    const done = jobRow(page, 'clip-2041');
    const url = done.locator('td[data-label="URL"] .url');
    expect(await url.textContent()).to.equal('media.example.com/…/intro-1080p.mp4');
    expect(await url.getAttribute('title')).to.equal('https://media.example.com/campaigns/spring/intro-1080p.mp4');
    expect(await done.locator('td[data-label="Duration"]').textContent()).to.match(/^\d+ s$/);
    expect(await done.locator('td[data-label="Age"]').textContent()).to.match(/^\d+ h$/);

    // The running download's bar: 478,150,656 of 734,003,200 bytes.
    const bar = jobRow(page, 'clip-2051').locator('[role="progressbar"]');
    expect(await bar.getAttribute('aria-valuenow')).to.equal('65');
    expect(await jobRow(page, 'clip-2051').locator('.progress-label').textContent()).to.equal('65% of 700.0 MiB');
    expect(await jobRow(page, 'clip-2060').locator('button.cancel').count()).to.equal(1);
    expect(await jobRow(page, 'clip-2050').locator('.status-note').textContent()).to.match(/^retry in [34] min$/);

    expect(await text(page, '[data-fact="slots"]')).to.equal('2 of 2');
    expect(await text(page, '[data-fact="poller-state"]')).to.equal('polling');
    expect(await text(page, '[data-fact="last-receive"]')).to.match(/^\d+ s ago$/);
    expect(await text(page, '[data-fact="consecutive-errors"]')).to.equal('0');
    expect(await text(page, '[data-fact="last-error"]')).to.match(/^throttled: Rate exceeded \(47 min ago\)$/);
    expect(await text(page, '#health')).to.equal('healthy');
  });

  it('gives every status a badge with readable contrast (WCAG AA, 4.5:1)', async () => {
    const page = await start({ history: 1 });
    await openDashboard(page, server?.url ?? '');
    for (const status of STATUSES) {
      const colours = await page
        .locator(`#jobs-body .badge[data-status="${status}"]`)
        .first()
        .evaluate((badge) => {
          const style = getComputedStyle(badge);
          return [style.color, style.backgroundColor];
        });
      const [fg, bg] = [parseRgb(colours[0] ?? ''), parseRgb(colours[1] ?? '')];
      expect(contrast(fg, bg), `${status}: ${colours.join(' on ')}`).to.be.at.least(4.5);
    }
  });

  it('filters by status, and keeps the filter through refreshes and a reload', async () => {
    const page = await start({ history: 3 });
    await openDashboard(page, server?.url ?? '');

    await page.click('[data-filter="failed"]');
    const failed: Json = await api('/jobs?status=failed');
    await eventually(
      () => rowIds(page),
      (ids) => ids.join() === failed.jobs.map((job: Json) => job.id).join(),
      'only the failed jobs',
    );
    expect(page.url()).to.match(/\?status=failed$/);
    expect(await page.getAttribute('[data-filter="failed"]', 'aria-pressed')).to.equal('true');
    expect(await page.getAttribute('[data-filter="all"]', 'aria-pressed')).to.equal('false');

    await page.click('[data-filter="cancelled"]');
    const both: Json = await api('/jobs?status=failed,cancelled');
    await eventually(
      () => rowIds(page),
      (ids) => ids.join() === both.jobs.map((job: Json) => job.id).join(),
      'the failed and cancelled jobs',
    );
    expect(both.jobs.length).to.equal(3);
    await nextRefresh(page);
    expect(await rowIds(page)).to.deep.equal(both.jobs.map((job: Json) => job.id));

    await page.reload();
    await page.waitForSelector('#app[data-loaded="true"]');
    expect(await rowIds(page)).to.deep.equal(both.jobs.map((job: Json) => job.id));
    expect(await text(page, '#showing')).to.equal('1–3 of 3 · failed, cancelled');

    await page.click('[data-filter="all"]');
    await eventually(
      () => rowIds(page),
      (ids) => ids.length > 3,
      'every job again',
    );
    expect(page.url()).to.equal(`${server?.url}/`);
  });

  it('refreshes by itself: a new job appears without a reload', async () => {
    const page = await start();
    await openDashboard(page, server?.url ?? '');
    const before = await rowIds(page);
    const created = await fetch(`${server?.url}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jobId: 'arrived-later', url: 'https://media.example.com/late.mp4' }),
    });
    expect(created.status).to.equal(201);
    const ids = await eventually(
      () => rowIds(page),
      (list) => list[0] === 'arrived-later',
      'the new job on top',
    );
    expect(ids.slice(1)).to.deep.equal(before);
    expect(await text(page, '[data-count-for="queued"]')).to.equal(String((await api('/health')).jobs.queued));
  });

  it('stops polling while the tab is hidden, and refreshes as soon as it is shown again', async () => {
    const page = await start();
    // The page's timers on a fake clock: 30 s pass in an instant, and nothing fires unseen.
    await page.clock.install();
    // Counted in the page itself, in order with everything else the page does.
    await page.addInitScript(`window.__polls = 0;
      const realFetch = window.fetch;
      window.fetch = (input, init) => {
        if (String(input).startsWith('/jobs?')) window.__polls++;
        return realFetch(input, init);
      };`);
    await openDashboard(page, server?.url ?? '');
    const polls = () => page.evaluate(() => Number(window.__polls));
    const refreshedAt = () => page.getAttribute('#app', 'data-refreshed-at');
    expect(await polls()).to.equal(1);
    const loadedAt = await refreshedAt();
    await page.clock.runFor(3100);
    await eventually(refreshedAt, (at) => at !== loadedAt, 'the 3 s refresh to finish');
    expect(await polls(), 'the 3 s refresh').to.equal(2);

    const setHidden = (hidden: boolean) =>
      page.evaluate(`Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} });
        document.dispatchEvent(new Event('visibilitychange'));`);
    await setHidden(true);
    expect(await text(page, '#live')).to.equal('tab hidden: paused');
    await page.clock.runFor(30_000);
    expect(await polls(), 'no polling while hidden').to.equal(2);

    await setHidden(false);
    await eventually(polls, (n) => n === 3, 'a refresh on showing the tab');
    await eventually(
      () => text(page, '#live'),
      (live) => live.startsWith('live · updated'),
      'live again',
    );
  });

  it('pages through history with the API cursor, and back', async () => {
    const page = await start({ history: 30 });
    await openDashboard(page, server?.url ?? '');
    const first: Json = await api('/jobs?limit=25');
    const second: Json = await api(`/jobs?limit=25&cursor=${first.nextCursor}`);
    expect(second.jobs.length).to.be.greaterThan(0);
    expect(await rowIds(page)).to.deep.equal(first.jobs.map((job: Json) => job.id));
    expect(await page.isDisabled('#newer')).to.equal(true);

    await page.click('#older');
    const secondIds = second.jobs.map((job: Json) => job.id).join();
    await eventually(
      () => rowIds(page),
      (ids) => ids.join() === secondIds,
      'the second page',
    );
    expect(await text(page, '#page-number')).to.equal('page 2');
    expect(await page.isDisabled('#older')).to.equal(second.nextCursor === null);
    expect(new URL(page.url()).searchParams.get('cursor')).to.equal(first.nextCursor);
    await nextRefresh(page);
    expect((await rowIds(page)).join(), 'the page survives a refresh').to.equal(secondIds);

    await page.click('#newer');
    const firstIds = first.jobs.map((job: Json) => job.id).join();
    await eventually(
      () => rowIds(page),
      (ids) => ids.join() === firstIds,
      'the first page again',
    );
    expect(await page.isDisabled('#newer')).to.equal(true);

    await page.goBack();
    await eventually(
      () => rowIds(page),
      (ids) => ids.join() === secondIds,
      'Back to the second page',
    );
    await page.click('#newer');
    await eventually(
      () => rowIds(page),
      (ids) => ids.join() === firstIds,
      'Newer from a restored page',
    );
  });

  it('opens a job: attempt history, result (file, size, SHA-256) and the full error', async () => {
    const page = await start();
    await openDashboard(page, server?.url ?? '');

    await jobRow(page, 'clip-2037').locator('a.job-link').click();
    await page.waitForSelector('#detail[open] [data-section="attempts"]');
    expect(new URL(page.url()).searchParams.get('job')).to.equal('clip-2037');
    expect(await text(page, '#detail-title')).to.equal('Job clip-2037');
    expect(await text(page, '[data-fact="error-message"]')).to.equal('the server answered HTTP 404');
    expect(await text(page, '[data-fact="error-code"]')).to.equal('http_status');
    expect(await text(page, '[data-fact="retryable"]')).to.equal('no');
    const outcomes = await page.$$eval('[data-section="attempts"] tbody tr', (rows) =>
      rows.map((row) => `${row.getAttribute('data-attempt')}:${row.getAttribute('data-outcome')}`),
    );
    expect(outcomes).to.deep.equal(['1:retry', '2:failed']);
    expect(await text(page, '[data-section="attempts"] tbody tr:first-child td:last-child')).to.equal(
      'http_status: the server answered HTTP 503',
    );

    await page.keyboard.press('Escape');
    await page.waitForSelector('#detail', { state: 'hidden' });
    // The dialog's close event, a task after it hides, takes the job out of the URL.
    await eventually(
      async () => new URL(page.url()).searchParams.get('job'),
      (job) => job === null,
      'no job in the URL',
    );

    await jobRow(page, 'clip-2041').locator('a.job-link').click();
    await page.waitForSelector('#detail[open] [data-section="result"]');
    const job: Json = await api('/jobs/clip-2041');
    expect(await text(page, '[data-fact="file"]')).to.equal('clip-2041/intro-1080p.mp4');
    expect(await text(page, '[data-fact="size"]')).to.equal('46.0 MiB (48,234,112 bytes)');
    expect(await text(page, '[data-fact="sha256"]')).to.equal(job.result.sha256);
    expect(await text(page, '[data-fact="url"]')).to.equal(job.url);

    // The open job is part of the URL: a reload opens it again.
    await page.reload();
    await page.waitForSelector('#detail[open] [data-fact="sha256"]');
    expect(await text(page, '#detail-title')).to.equal('Job clip-2041');
  });

  it('retries a failed job and shows it queued', async () => {
    const page = await start();
    await openDashboard(page, server?.url ?? '');
    await jobRow(page, 'clip-2037').locator('button.retry').click();
    await page.waitForSelector('#notice[data-kind="ok"]');
    expect(await text(page, '#notice')).to.equal('Job clip-2037 is queued again.');
    await eventually(
      () => jobRow(page, 'clip-2037').getAttribute('data-status'),
      (status) => status === 'queued',
      'the row to show queued',
    );
    expect((await api('/jobs/clip-2037')).status).to.equal('queued');
    expect(await jobRow(page, 'clip-2037').locator('button.retry').count()).to.equal(0);
    expect(await jobRow(page, 'clip-2037').locator('button.cancel').count()).to.equal(1);
  });

  it('cancels a queued job at once, and a running one once its attempt stops', async () => {
    const page = await start();
    await openDashboard(page, server?.url ?? '');
    await jobRow(page, 'clip-2060').locator('button.cancel').click();
    await page.waitForSelector('#notice[data-kind="ok"]');
    expect(await text(page, '#notice')).to.equal('Job clip-2060 is cancelled.');
    await eventually(
      () => jobRow(page, 'clip-2060').getAttribute('data-status'),
      (status) => status === 'cancelled',
      'the queued job to show cancelled',
    );
    expect((await api('/jobs/clip-2060')).status).to.equal('cancelled');

    // From the job's own view: a running download.
    await jobRow(page, 'clip-2051').locator('a.job-link').click();
    await page.waitForSelector('#detail[open] [role="progressbar"]');
    await page.click('#detail button.cancel');
    await page.waitForSelector('#detail-notice[data-kind="ok"]');
    expect(await text(page, '#detail-notice')).to.match(
      /^Cancel requested for job clip-2051|^Job clip-2051 is cancelled/,
    );
    await page.waitForSelector('#detail .badge[data-status="cancelled"]');
    expect((await api('/jobs/clip-2051')).status).to.equal('cancelled');
  });

  it('shows why a command was refused (409 when the job moved on)', async () => {
    const page = await start();
    await openDashboard(page, server?.url ?? '');
    await page.click('#pause');
    expect(await text(page, '#live')).to.equal('paused');
    // Someone else retries it first; the paused page still offers Retry.
    expect((await fetch(`${server?.url}/jobs/clip-2037/retry`, { method: 'POST' })).status).to.equal(202);
    await jobRow(page, 'clip-2037').locator('button.retry').click();
    await page.waitForSelector('#notice[data-kind="error"]');
    expect(await text(page, '#notice')).to.equal(
      'Could not retry job clip-2037: job clip-2037 is queued; only failed or cancelled jobs can be retried (HTTP 409)',
    );
    // The command refreshes the page, even while paused.
    await eventually(
      () => jobRow(page, 'clip-2037').getAttribute('data-status'),
      (status) => status === 'queued',
      'the row to catch up',
    );
    expect(await text(page, '#live')).to.equal('paused');
  });

  it('puts untrusted text (ids, URLs, errors, metadata) in the page as text only', async () => {
    const page = await start({ hostile: true });
    await openDashboard(page, `${server?.url}/?status=rejected`);
    const id = server?.ids.rejected.find((i) => i.startsWith('evil')) ?? '';
    const row = jobRow(page, id);
    expect(await row.locator('a.job-link').textContent()).to.equal(id);
    expect(await row.locator('td[data-label="Last error"]').textContent()).to.equal(
      'invalid_message: <img src=x onerror="window.__xss=4">',
    );
    expect(await page.locator('#jobs-body img, #jobs-body script, #jobs-body b').count()).to.equal(0);

    await row.locator('a.job-link').click();
    await page.waitForSelector('#detail[open] [data-fact="error-message"]');
    expect(await text(page, '[data-fact="error-message"]')).to.equal('<img src=x onerror="window.__xss=4">');
    expect(await text(page, '[data-section="metadata"] pre')).to.include('"note": "<script>window.__xss=3</script>"');
    expect(await text(page, '[data-fact="url"]')).to.equal('javascript:window.__xss=2//<b>bold</b>');
    // A javascript: URL is never made a link.
    expect(await page.locator('#detail a').count()).to.equal(0);
    expect(await page.locator('#detail img, #detail script, #detail b').count()).to.equal(0);
    expect(await page.evaluate(() => window.__xss)).to.equal(undefined);
  });

  it('with API_TOKEN: asks for the token once, keeps it for this tab only, and sends it with commands', async () => {
    const page = await start({ apiToken: TOKEN });
    auth.token = TOKEN;
    await page.goto(server?.url ?? '');
    await page.waitForSelector('#token-panel:not([hidden])');
    expect(await page.isHidden('#app')).to.equal(true);
    expect(await text(page, '#token-reason')).to.match(/API_TOKEN/);

    await page.fill('#token-input', 'not-the-token-at-all');
    await page.click('#token-form button[type="submit"]');
    await eventually(
      () => text(page, '#token-reason'),
      (t) => t.includes('refused'),
      'the refusal',
    );
    await page.waitForSelector('#token-panel:not([hidden])');

    await page.fill('#token-input', TOKEN);
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector('#app[data-loaded="true"]');
    expect(await page.isHidden('#token-panel')).to.equal(true);
    expect((await rowIds(page)).length).to.be.greaterThan(5);

    // A reload keeps the token (same tab); the command carries it.
    await page.reload();
    await page.waitForSelector('#app[data-loaded="true"]');
    expect(await page.isHidden('#token-panel')).to.equal(true);
    await jobRow(page, 'clip-2037').locator('button.retry').click();
    await page.waitForSelector('#notice[data-kind="ok"]');
    expect((await api('/jobs/clip-2037')).status).to.equal('queued');

    // Another tab has its own session storage: it asks again.
    const other = await context?.newPage();
    await other?.goto(server?.url ?? '');
    await other?.waitForSelector('#token-panel:not([hidden])');

    await page.click('#forget-token');
    await page.waitForSelector('#token-panel:not([hidden])');
  });

  it('fits a 375 px phone: no sideways scrolling, jobs as cards, the job view on screen', async () => {
    const page = await start({ history: 3, hostile: true }, { width: 375, height: 812 });
    await openDashboard(page, server?.url ?? '');
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(widths[0], 'page width').to.be.at.most(375);
    expect(await jobRow(page, 'clip-2041').evaluate((row) => getComputedStyle(row).display)).to.equal('grid');
    expect(await page.locator('#jobs-table thead').isHidden()).to.equal(true);
    expect(await jobRow(page, 'clip-2041').locator('td[data-label="URL"]').isVisible()).to.equal(true);

    await jobRow(page, 'clip-2037').locator('a.job-link').click();
    await page.waitForSelector('#detail[open] [data-section="attempts"]');
    const detail = await page.locator('#detail').evaluate((dialog) => {
      const box = (dialog as PageElement).getBoundingClientRect();
      return {
        right: box.right,
        scroll: (dialog as PageElement).scrollWidth,
        client: (dialog as PageElement).clientWidth,
      };
    });
    expect(detail.right, 'dialog inside the screen').to.be.at.most(375);
    expect(detail.scroll, 'nothing wider than the dialog').to.be.at.most(detail.client);
    expect((await page.evaluate(() => [document.documentElement.scrollWidth]))[0]).to.be.at.most(375);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  (external ? it : it.skip)(
    `without API_TOKEN, from another address (${external ?? 'none here'}): shows the 403 of a command`,
    async () => {
      const page = await start({ host: '0.0.0.0' });
      const port = new URL(server?.url ?? '').port;
      await openDashboard(page, `http://${external}:${port}/`);
      await jobRow(page, 'clip-2037').locator('button.retry').click();
      await page.waitForSelector('#notice[data-kind="error"]');
      expect(await text(page, '#notice')).to.equal(
        'Could not retry job clip-2037: not allowed: changes are accepted only from this machine unless API_TOKEN is set (HTTP 403)',
      );
      expect((await api('/jobs/clip-2037')).status).to.equal('failed');
    },
  );
});

function parseRgb(css: string): [number, number, number] {
  const [r = 0, g = 0, b = 0] = (css.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return [r, g, b];
}

/** WCAG 2 contrast ratio of two sRGB colours. */
function contrast(a: [number, number, number], b: [number, number, number]): number {
  const luminance = (rgb: [number, number, number]) => {
    const [r, g, bl] = rgb.map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
