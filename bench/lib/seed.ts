/**
 * A file database with `rows` jobs in mixed states, written straight through better-sqlite3 in
 * large transactions (seeding 1M rows through the API would take minutes). Queued jobs are due
 * in the future so the server under test does not start running them.
 */
import { openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';

const STATUS_MIX: Array<[string, number]> = [
  ['succeeded', 0.7],
  ['failed', 0.1],
  ['cancelled', 0.05],
  ['rejected', 0.05],
  ['queued', 0.1],
];

function statusFor(i: number): string {
  // Deterministic, evenly interleaved mix.
  const x = ((i * 2654435761) % 1000) / 1000;
  let acc = 0;
  for (const [status, share] of STATUS_MIX) {
    acc += share;
    if (x < acc) return status;
  }
  return 'succeeded';
}

export async function seedDatabase(path: string, rows: number): Promise<void> {
  const { db, raw, close } = openDatabase(path);
  const { error } = await migrateToLatest(db);
  if (error) throw error;
  const now = Date.now();
  const start = now - 30 * 24 * 3600 * 1000;
  const step = (now - start) / rows;
  const insert = raw.prepare(`
    INSERT INTO jobs (id, type, source, source_message_id, status, url, metadata, attempts, max_attempts, run_at,
                      created_at, updated_at, started_at, finished_at, result, error)
    VALUES (?, 'download', ?, ?, ?, ?, '{}', ?, 5, ?, ?, ?, ?, ?, ?, ?)`);
  const batch = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const status = statusFor(i);
      const created = Math.round(start + i * step);
      const finished = status === 'queued' ? null : created + 5000;
      const id = `job-${i}`;
      insert.run(
        id,
        i % 3 === 0 ? 'api' : 'sqs',
        i % 3 === 0 ? null : `msg-${i}`,
        status,
        status === 'rejected' ? null : `https://media.example/videos/${i}.mp4`,
        status === 'queued' ? 0 : 1,
        status === 'queued' ? now + 86_400_000 : created,
        created,
        finished ?? created,
        status === 'rejected' || status === 'queued' ? null : created + 10,
        finished,
        status === 'succeeded'
          ? JSON.stringify({
              file: `${id}/${i}.mp4`,
              bytes: 1048576,
              sha256: 'ab'.repeat(32),
              contentType: 'video/mp4',
            })
          : null,
        status === 'failed' || status === 'rejected'
          ? JSON.stringify({ code: 'http_404', message: 'not found', retryable: false })
          : null,
      );
    }
  });
  for (let i = 0; i < rows; i += 50_000) batch(i, Math.min(rows, i + 50_000));
  raw.exec(`
    INSERT INTO job_attempts (job_id, attempt, owner, started_at, finished_at, outcome, error)
    SELECT id, 1, 'seed', started_at, finished_at, CASE status WHEN 'succeeded' THEN 'succeeded' ELSE 'failed' END, error
    FROM jobs WHERE status IN ('succeeded', 'failed')`);
  raw.pragma('optimize');
  raw.pragma('wal_checkpoint(TRUNCATE)');
  await close();
}
