/**
 * `npm run bench:api`: API latency under concurrent load (autocannon, 10 connections) on a file
 * database seeded with 1,000,000 jobs in mixed states, and the same at 10,000 rows in the same
 * run, to show that cost does not grow with history. The server runs as its own process (as in
 * production); autocannon runs in this one.
 *
 * Targets: p99 under 20 ms at 1M rows; 1M/10k p99 ratio under 1.5.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import SqliteDatabase from 'better-sqlite3';
import { encodeCursor } from '../src/http/cursor.js';
import { freePort } from './lib/free-port.js';
import { seedDatabase } from './lib/seed.js';
import { printTable } from './lib/stats.js';

const SIZES = (process.env.BENCH_API_SIZES ?? '1000000,10000').split(',').map(Number);
const DURATION_S = Number(process.env.BENCH_API_SECONDS ?? 5);
const CONNECTIONS = 10;
const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));

async function startServer(databasePath: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      DATABASE_PATH: databasePath,
      PORT: String(port),
      HOST: '127.0.0.1',
      ENABLE_SQS_POLLING: 'false',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server did not start');
}

function probeData(path: string, rows: number) {
  const raw = new SqliteDatabase(path, { readonly: true });
  const deep = raw
    .prepare('SELECT created_at AS createdAt, seq FROM jobs ORDER BY created_at DESC, seq DESC LIMIT 1 OFFSET ?')
    .get(Math.floor(rows * 0.9)) as { createdAt: number; seq: number };
  raw.close();
  const ids = Array.from({ length: 1000 }, (_, i) => `job-${Math.floor((i * 7919) % rows)}`);
  return { deepCursor: encodeCursor(deep), ids };
}

interface Scenario {
  name: string;
  path: string | ((ids: string[]) => string);
}

const SCENARIOS: Scenario[] = [
  { name: 'GET /jobs (first page)', path: '/jobs' },
  { name: 'GET /jobs?cursor= (90% deep)', path: '' },
  { name: 'GET /jobs?status=failed', path: '/jobs?status=failed' },
  { name: 'GET /jobs?status=failed,cancelled', path: '/jobs?status=failed,cancelled' },
  { name: 'GET /jobs/:id (random ids)', path: (ids) => `/jobs/${ids[Math.floor(Math.random() * ids.length)]}` },
  { name: 'GET /health', path: '/health' },
];

type Row = { p50: number; p99: number; rps: number; errors: number };
const results = new Map<string, Map<number, Row>>();

try {
  for (const rows of SIZES) {
    const path = join(dir, `jobs-${rows}.db`);
    const t0 = performance.now();
    await seedDatabase(path, rows);
    process.stdout.write(
      `seeded ${rows.toLocaleString('en-US')} jobs in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    const { deepCursor, ids } = probeData(path, rows);
    const { url, child } = await startServer(path);
    try {
      for (const scenario of SCENARIOS) {
        const fixed = scenario.name.includes('cursor') ? `/jobs?cursor=${deepCursor}` : scenario.path;
        const make = typeof fixed === 'function' ? fixed : () => fixed;
        // Warm up, then measure.
        await autocannon({
          url,
          connections: CONNECTIONS,
          duration: 1,
          requests: [{ setupRequest: (r) => ({ ...r, path: make(ids) }) }],
        });
        const result = await autocannon({
          url,
          connections: CONNECTIONS,
          duration: DURATION_S,
          requests: [{ setupRequest: (r) => ({ ...r, path: make(ids) }) }],
        });
        const row = {
          p50: result.latency.p50,
          p99: result.latency.p99,
          rps: result.requests.average,
          errors: result.errors + result.non2xx + result.timeouts,
        };
        if (!results.has(scenario.name)) results.set(scenario.name, new Map());
        results.get(scenario.name)?.set(rows, row);
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }

  const [big, small] = SIZES as [number, number];
  printTable(
    `API latency, ${CONNECTIONS} connections, ${DURATION_S} s per route (ms; autocannon)`,
    ['route', `p50 @${big}`, `p99 @${big}`, `req/s @${big}`, `p50 @${small}`, `p99 @${small}`, 'p99 ratio', 'errors'],
    [...results].map(([name, bySize]) => {
      const b = bySize.get(big) as Row;
      const s = bySize.get(small) as Row;
      return [
        name,
        b.p50,
        b.p99,
        b.rps,
        s?.p50 ?? '',
        s?.p99 ?? '',
        s ? (b.p99 / Math.max(1, s.p99)).toFixed(2) : '',
        b.errors + (s?.errors ?? 0),
      ];
    }),
  );
  process.stdout.write('\n(ratio uses max(1 ms, p99 at the small size): autocannon reports whole milliseconds)\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
