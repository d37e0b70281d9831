/**
 * The promises the chaos run checks, read from the server's database file and download folder
 * after the run. Each broken promise becomes a line naming the job ids involved.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';

export interface ExpectedRun {
  databasePath: string;
  downloadDir: string;
  /** Every job id that must exist and succeed (explicit ids and message ids). */
  jobIds: string[];
  /** Message ids of the malformed bodies: each must be a rejected row. */
  malformedMessageIds: string[];
  /** SHA-256 of what the media server serves at a path. */
  sha256Of(path: string): string;
  sigkills: number;
  sigterms: number;
  concurrency: number;
}

export interface Verdict {
  problems: string[];
  attempts: Record<string, number>;
  jobs: number;
}

interface JobRow {
  id: string;
  status: string;
  url: string | null;
  result: string | null;
  error: string | null;
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

function partFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.part'));
}

/** Faults a URL carried, from its query string: each may cost one retry. */
function faultsIn(url: string): number {
  const query = new URL(url).searchParams;
  let faults = 0;
  if (query.has('dropAfter')) faults++;
  if (query.has('stallAfter')) faults++;
  if ((query.get('status') ?? '').split(',').some((s) => s !== '200' && s !== '')) faults++;
  return faults;
}

export async function verify(run: ExpectedRun): Promise<Verdict> {
  const problems: string[] = [];
  const fail = (promise: string, ids: string[]) => {
    if (ids.length > 0)
      problems.push(`${promise}: ${ids.length} job(s): ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''}`);
  };
  const db = new SqliteDatabase(run.databasePath, { readonly: true });
  try {
    const rows = db.prepare('SELECT id, status, url, result, error FROM jobs').all() as JobRow[];
    const byId = new Map(rows.map((row) => [row.id, row]));

    fail(
      'valid job missing',
      run.jobIds.filter((id) => !byId.has(id)),
    );
    fail(
      'valid job not succeeded',
      run.jobIds.filter((id) => byId.has(id) && byId.get(id)?.status !== 'succeeded'),
    );
    const wrongFiles: string[] = [];
    for (const id of run.jobIds) {
      const row = byId.get(id);
      if (row?.status !== 'succeeded' || !row.url || !row.result) continue;
      const result = JSON.parse(row.result) as { file: string; sha256: string };
      const expected = run.sha256Of(new URL(row.url).pathname);
      const onDisk = await sha256File(join(run.downloadDir, result.file)).catch(() => 'missing');
      if (result.sha256 !== expected || onDisk !== expected) wrongFiles.push(id);
    }
    fail('downloaded file does not match what the media server served', wrongFiles);

    const rejected = run.malformedMessageIds.filter((id) => {
      const row = byId.get(id);
      const error = row?.error ? (JSON.parse(row.error) as { message?: string }) : undefined;
      return row?.status !== 'rejected' || !error?.message;
    });
    fail('malformed message not rejected with a reason', rejected);
    const expectedIds = new Set([...run.jobIds, ...run.malformedMessageIds]);
    fail(
      'unexpected extra job row (a duplicate was not absorbed)',
      rows.filter((r) => !expectedIds.has(r.id)).map((r) => r.id),
    );

    const outcomes = db
      .prepare('SELECT job_id AS id, outcome, count(*) AS n FROM job_attempts GROUP BY job_id, outcome')
      .all() as Array<{ id: string; outcome: string; n: number }>;
    const attempts: Record<string, number> = {};
    for (const { outcome, n } of outcomes) attempts[outcome] = (attempts[outcome] ?? 0) + n;
    const unexplained = outcomes
      .filter((o) => o.outcome === 'retry' && o.n > faultsIn(byId.get(o.id)?.url ?? 'http://x/'))
      .map((o) => `${o.id} (${o.n} retries)`);
    fail('retries not explained by injected faults', unexplained);
    const interrupted = attempts.interrupted ?? 0;
    if (interrupted > run.sigkills * run.concurrency) {
      problems.push(`${interrupted} interrupted attempts, more than ${run.sigkills} kills × ${run.concurrency} slots`);
    }
    const released = attempts.released ?? 0;
    if (released > run.sigterms * run.concurrency) {
      problems.push(`${released} released attempts, more than ${run.sigterms} SIGTERM × ${run.concurrency} slots`);
    }
    fail(
      'lease expired (a heartbeat was missed)',
      outcomes.filter((o) => o.outcome === 'lease_expired').map((o) => o.id),
    );

    const parts = partFiles(run.downloadDir);
    if (parts.length > 0) problems.push(`.part files left behind: ${parts.slice(0, 10).join(', ')}`);
    return { problems, attempts, jobs: rows.length };
  } finally {
    db.close();
  }
}
