/**
 * Headless Chromium for the dashboard tests and screenshots: Debian's `chromium` driven by
 * playwright-core (no browser download). Nothing here talks to the internet.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type Browser, chromium, type Page } from 'playwright-core';

/** The one browser global a page function below uses (the test program has no DOM types). */
declare const document: { getElementById(id: string): { dataset: Record<string, string | undefined> } | null };

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Reads `read()` until `accept` holds, or fails after `timeoutMs` showing the last value.
 * No fixed sleeps: it returns as soon as the page shows what is expected.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    }
    await delay(25);
  }
}

/** Loads the dashboard and waits for its first complete refresh. */
export async function openDashboard(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('#app[data-loaded="true"]');
}

/** Resolves after the page's next completed refresh (the loop runs every 3 s). */
export async function nextRefresh(page: Page): Promise<void> {
  const before = await page.getAttribute('#app', 'data-refreshed-at');
  await page.waitForFunction((previous) => document.getElementById('app')?.dataset.refreshedAt !== previous, before, {
    timeout: 10_000,
  });
}

/** The job ids of the table's rows, top to bottom. */
export const rowIds = (page: Page): Promise<string[]> =>
  page.$$eval('#jobs-body tr', (rows) => rows.map((row) => row.getAttribute('data-job-id') ?? ''));

/** The table row of one job. */
export const jobRow = (page: Page, id: string) => page.locator(`#jobs-body tr[data-job-id="${cssString(id)}"]`);

/** A value quoted for a CSS attribute selector. */
export const cssString = (value: string) => value.replace(/["\\]/g, '\\$&');
