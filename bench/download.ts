/**
 * `npm run bench:download` (tsx bench/download.ts): the download path end to end, next to curl.
 *
 *  1. One 1 GiB generated file from a local media server (this process), fetched in turns by
 *     `curl -o` and by the real server (a child process, POST /jobs, polled until it
 *     succeeds). Throughput of each (median of BENCH_ROUNDS) and their ratio. The server runs
 *     as it ships (`node dist/src/main.js`, compiled here into the temp dir first);
 *     BENCH_SERVER=tsx runs `node --import tsx src/main.ts` instead.
 *  2. The server process's memory while it downloads: VmRSS sampled from /proc every 20 ms,
 *     next to its RSS at rest and its lifetime peak (VmHWM, includes start-up).
 *  3. Two downloads at once (server with MAX_CONCURRENT_JOBS=2, and two curls at once).
 *
 * The server fsyncs every file before it reports success; curl does not. Both SHA-256s are checked.
 * Env: BENCH_DOWNLOAD_SIZE (default 1GiB), BENCH_ROUNDS (default 5), BENCH_SERVER (compiled|tsx). Outputs go to a temp dir, removed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseByteSize } from '../src/config-parsers.js';
import { sha256Of } from '../src/media/content.js';
import { startMediaServer } from '../src/media/media-server.js';
import { fmt, printTable } from './lib/stats.js';

const SIZE = parseByteSize(process.env.BENCH_DOWNLOAD_SIZE ?? '1GiB') ?? 1024 ** 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const USE_TSX = process.env.BENCH_SERVER === 'tsx';
const CURL = '/usr/bin/curl';
const MiB = 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'bench-download-'));
const downloads = join(dir, 'downloads');
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const mibPerS = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

async function curlMs(urls: string[]): Promise<number> {
  const started = performance.now();
  await Promise.all(urls.map((url, i) => run(CURL, ['-sS', '--fail', '-o', join(dir, `curl-${i}.bin`), url])));
  return performance.now() - started;
}

interface ServerChild {
  child: ChildProcess;
  url: string;
}

/** The server as the Dockerfile runs it: compiled JavaScript, next to the real node_modules. */
async function buildServer(): Promise<string[]> {
  if (USE_TSX) return ['--import', 'tsx', 'src/main.ts'];
  const build = join(dir, 'build');
  await run(process.execPath, [
    'node_modules/typescript/bin/tsc',
    '-p',
    'tsconfig.build.json',
    '--outDir',
    join(build, 'dist'),
  ]);
  symlinkSync(join(process.cwd(), 'node_modules'), join(build, 'node_modules'));
  // Static assets (the dashboard) are found next to the sources, as in a repository build.
  symlinkSync(join(process.cwd(), 'src'), join(build, 'src'));
  copyFileSync('package.json', join(build, 'package.json'));
  return [join(build, 'dist', 'src', 'main.js')];
}

async function startServer(): Promise<ServerChild> {
  const child = spawn(process.execPath, await buildServer(), {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_PATH: join(dir, 'jobs.db'),
      DOWNLOAD_DIR: downloads,
      ENABLE_SQS_POLLING: 'false',
      DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
      MAX_CONCURRENT_JOBS: '2',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'server listening' && entry.url) resolve(entry.url);
    });
  });
  return { child, url };
}

interface JobView {
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  result: { sha256?: string; bytes?: number } | null;
  error: unknown;
}

/** Enqueues one download per URL, waits for all; returns wall ms (first start → last finish). */
async function serverMs(server: ServerChild, urls: string[], expected: string[], tag: string): Promise<number> {
  const ids = urls.map((_, i) => `bench-${tag}-${i}`);
  await Promise.all(
    urls.map((url, i) =>
      fetch(`${server.url}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url, jobId: ids[i] }),
      }).then((r) => {
        if (r.status !== 201) throw new Error(`POST /jobs answered ${r.status}`);
      }),
    ),
  );
  const views: JobView[] = [];
  for (const id of ids) {
    for (;;) {
      const view = (await (await fetch(`${server.url}/jobs/${id}`)).json()) as JobView;
      if (view.status === 'succeeded') {
        views.push(view);
        break;
      }
      if (view.status !== 'queued' && view.status !== 'running') throw new Error(`${id}: ${JSON.stringify(view)}`);
      await delay(100);
    }
  }
  views.forEach((view, i) => {
    if (view.result?.sha256 !== expected[i]) throw new Error(`${ids[i]}: wrong sha256 ${view.result?.sha256}`);
  });
  for (const id of ids) rmSync(join(downloads, id), { recursive: true, force: true });
  const start = Math.min(...views.map((v) => Date.parse(v.startedAt ?? '')));
  const end = Math.max(...views.map((v) => Date.parse(v.finishedAt ?? '')));
  return end - start;
}

/** Runs `work` while sampling the server's RSS; returns its result and the peak seen. */
async function sampled<T>(pid: number, work: () => Promise<T>): Promise<{ value: T; peakRss: number }> {
  let peakRss = procStatus(pid, 'VmRSS');
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, procStatus(pid, 'VmRSS'));
  }, 20);
  try {
    return { value: await work(), peakRss };
  } finally {
    clearInterval(timer);
  }
}

const media = await startMediaServer();
const server = await startServer();
const pid = server.child.pid ?? 0;
try {
  const urlA = media.file('/bench-a.mp4', { size: SIZE });
  const urlB = media.file('/bench-b.mp4', { size: SIZE, seed: 'bench-b' });
  process.stdout.write(`computing the expected SHA-256 of ${fmt(SIZE / MiB)} MiB...\n`);
  const shaA = sha256Of(media.content('/bench-a.mp4'));
  const shaB = sha256Of(media.content('/bench-b.mp4'));
  const restRss = procStatus(pid, 'VmRSS');

  const curlRuns: number[] = [];
  const curlCheckedRuns: number[] = [];
  const serverRuns: number[] = [];
  let peakRss = 0;
  const curlOnce = async (round: number) => {
    const file = join(dir, 'curl-0.bin');
    const curl = await curlMs([urlA]);
    // The same guarantees as the server gives: the checksum known and the bytes on disk.
    const checkStarted = performance.now();
    await run('/usr/bin/sha256sum', [file]);
    await run('/usr/bin/sync', [file]);
    const checked = curl + performance.now() - checkStarted;
    if (round === 0 && (await fileSha256(file)) !== shaA) throw new Error('curl: wrong sha256');
    rmSync(file);
    return { curl, checked };
  };
  const serverOnce = async (round: number) => {
    const { value, peakRss: peak } = await sampled(pid, () => serverMs(server, [urlA], [shaA], `single-${round}`));
    peakRss = Math.max(peakRss, peak);
    return value;
  };
  // A first, unmeasured round of each: on a VM the first touch of page-cache memory costs more
  // than reusing it, and neither peer should pay that alone. Then alternate who goes first.
  await curlOnce(0);
  await serverOnce(-1);
  for (let round = 0; round < ROUNDS; round++) {
    let curl: { curl: number; checked: number };
    let ours: number;
    if (round % 2 === 0) {
      curl = await curlOnce(round);
      ours = await serverOnce(round);
    } else {
      ours = await serverOnce(round);
      curl = await curlOnce(round);
    }
    curlRuns.push(curl.curl);
    curlCheckedRuns.push(curl.checked);
    serverRuns.push(ours);
    process.stdout.write(
      `round ${round + 1}: curl ${fmt(mibPerS(SIZE, curl.curl))} MiB/s, server ${fmt(mibPerS(SIZE, ours))} MiB/s\n`,
    );
  }
  const curlPair = await curlMs([urlA, urlB]);
  rmSync(join(dir, 'curl-0.bin'));
  rmSync(join(dir, 'curl-1.bin'));
  const pair = await sampled(pid, () => serverMs(server, [urlA, urlB], [shaA, shaB], 'pair'));
  const hwm = procStatus(pid, 'VmHWM');

  const curlRate = mibPerS(SIZE, median(curlRuns));
  const checkedRate = mibPerS(SIZE, median(curlCheckedRuns));
  const serverRate = mibPerS(SIZE, median(serverRuns));
  printTable(
    `download of ${fmt(SIZE / MiB)} MiB from 127.0.0.1 (median of ${ROUNDS}; server: ${USE_TSX ? 'tsx' : 'compiled'}, POST /jobs → succeeded, fsynced)`,
    ['peer', 'MiB/s', 'seconds', 'vs curl'],
    [
      ['curl -o', curlRate, median(curlRuns) / 1000, '1.00'],
      [
        'curl -o; sha256sum; sync (same guarantees)',
        checkedRate,
        median(curlCheckedRuns) / 1000,
        (checkedRate / curlRate).toFixed(2),
      ],
      ['server (download job)', serverRate, median(serverRuns) / 1000, (serverRate / curlRate).toFixed(2)],
    ],
  );
  printTable(
    'two downloads at once (aggregate)',
    ['peer', 'MiB/s', 'seconds'],
    [
      ['2 × curl -o', mibPerS(2 * SIZE, curlPair), curlPair / 1000],
      ['server, MAX_CONCURRENT_JOBS=2', mibPerS(2 * SIZE, pair.value), pair.value / 1000],
    ],
  );
  printTable(
    'server process memory',
    ['measure', 'MiB'],
    [
      ['RSS at rest (before downloads)', restRss / MiB],
      ['peak RSS during one download', peakRss / MiB],
      ['peak RSS during two downloads', pair.peakRss / MiB],
      ['VmHWM (lifetime peak, incl. start-up)', hwm / MiB],
    ],
  );
} finally {
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
  await media.close();
  rmSync(dir, { recursive: true, force: true });
}
