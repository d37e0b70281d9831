/**
 * Screenshots of the dashboard for the README: starts the demo server (jobs in every status,
 * downloads moving), loads the page in headless Chromium and writes
 *   docs/dashboard.png         desktop, 1280×800
 *   docs/dashboard-mobile.png  375 px wide (a phone)
 *   docs/dashboard-job.png     a failed job opened: attempts and the full error
 *
 *   npx tsx test/browser/screenshot.ts [output folder, default docs]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, openDashboard } from './browser.js';
import { startDemoServer } from './demo-server.js';

const out = process.argv[2] ?? 'docs';
mkdirSync(out, { recursive: true });

const server = await startDemoServer({ history: 24, queued: 3, running: 2, moving: true, runningForMs: 95_000 });
const browser = await launchChromium();
try {
  const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await openDashboard(desktop, server.url);
  await desktop.screenshot({ path: join(out, 'dashboard.png') });

  await openDashboard(desktop, `${server.url}/?job=clip-2037`);
  await desktop.waitForSelector('[data-section="attempts"] tbody tr');
  await desktop.screenshot({ path: join(out, 'dashboard-job.png') });

  const phone = await browser.newPage({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  await openDashboard(phone, server.url);
  await phone.screenshot({ path: join(out, 'dashboard-mobile.png') });
  process.stdout.write(
    `wrote ${['dashboard.png', 'dashboard-job.png', 'dashboard-mobile.png'].map((f) => join(out, f)).join(', ')}\n`,
  );
} finally {
  await browser.close();
  await server.close();
}
