/**
 * Concurrent API load for the whole chaos run: GET /jobs (plain, filtered, a cursor walk) and
 * GET /health. Connection errors while the server restarts are counted apart; any 5xx is a
 * broken promise and is kept with its route.
 */
import { summarize } from '../../bench/lib/stats.js';

export interface LoadReport {
  ok: number;
  unavailable: number;
  serverErrors: Array<{ path: string; status: number }>;
  p50: number;
  p99: number;
}

/** Pause between a worker's requests: steady load without starving the machine's two cores. */
const THINK_MS = 20;

export function startLoad(baseUrl: string, workers = 4) {
  const latencies: number[] = [];
  const serverErrors: LoadReport['serverErrors'] = [];
  let unavailable = 0;
  let running = true;
  const paths = ['/health', '/jobs?limit=50', '/jobs?status=running,queued', '/jobs?status=failed', '/jobs/stats'];

  const worker = async (n: number) => {
    let cursor: string | null = null;
    for (let i = n; running; i++) {
      const path: string = cursor ? `/jobs?limit=20&cursor=${cursor}` : (paths[i % paths.length] as string);
      const started = performance.now();
      try {
        const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(5000) });
        const text = await response.text();
        if (response.status >= 500) serverErrors.push({ path, status: response.status });
        else latencies.push(performance.now() - started);
        // Now and then, walk a few pages of history by cursor.
        const walking: boolean = response.ok && path.startsWith('/jobs?') && (cursor !== null || i % 7 === 0);
        cursor = walking ? ((JSON.parse(text) as { nextCursor?: string | null }).nextCursor ?? null) : null;
        await new Promise((resolve) => setTimeout(resolve, THINK_MS));
      } catch {
        unavailable++;
        cursor = null;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, n) => worker(n)));

  return {
    async stop(): Promise<LoadReport> {
      running = false;
      await done;
      const { p50, p99 } = summarize(latencies);
      return { ok: latencies.length, unavailable, serverErrors, p50, p99 };
    },
  };
}
