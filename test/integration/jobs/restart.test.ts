import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { countByStatus, getAttempts, getJob } from '../../../src/jobs/store/index.js';
import { type Child, spawnChild } from '../../helpers/child-process.js';
import { createTestDb } from '../../helpers/db.js';
import { enqueue, testJobs } from '../../helpers/scheduler.js';
import { waitFor } from '../../helpers/wait.js';

describe('restart after SIGKILL (child processes, file database)', function () {
  this.timeout(60_000);
  let dir: string;
  const children: Child[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'restart-test-'));
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.kill()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the interrupted jobs again at once, counts the interrupted attempt and loses none', async () => {
    const databasePath = join(dir, 'jobs.db');
    const seed = await createTestDb(databasePath);
    await enqueue(seed.db, testJobs(5, { type: 'sleep', metadata: { ms: 600_000 } }));
    await seed.close();

    // A lease far longer than the test: recovery must not wait for it to expire.
    const env = {
      DATABASE_PATH: databasePath,
      DOWNLOAD_DIR: join(dir, 'downloads'),
      MAX_CONCURRENT_JOBS: '2',
      LEASE_TIMEOUT_MS: '600000',
    };
    const first = spawnChild(env);
    children.push(first);
    await waitFor(() => first.count((e) => e.event === 'started') === 2, { message: 'two jobs started' });
    const interrupted = first.events.filter((e) => e.event === 'started').map((e) => e.id as string);
    const { signal } = await first.kill('SIGKILL');
    expect(signal).to.equal('SIGKILL');

    const second = spawnChild({ ...env, CHILD_SLEEP_MS: '5' });
    children.push(second);
    const firstStart = await second.waitFor((e) => e.event === 'started');
    expect(interrupted, 'the first job the new process starts is one the old one was running').to.include(
      firstStart.id,
    );
    expect(firstStart.attempt, 'the interrupted attempt is counted').to.equal(2);
    const check = await createTestDb(databasePath);
    try {
      // WAL: this process reads the file while the child writes it.
      await waitFor(async () => (await countByStatus(check.db)).succeeded === 5, {
        message: 'all five jobs succeeded',
      });
      await second.kill('SIGTERM');
      expect(await countByStatus(check.db)).to.include({ succeeded: 5, queued: 0, running: 0, failed: 0 });
      for (const id of interrupted) {
        expect((await getJob(check.db, id))?.attempts).to.equal(2);
        expect((await getAttempts(check.db, id)).map((a) => a.outcome)).to.deep.equal(['interrupted', 'succeeded']);
      }
    } finally {
      await check.close();
    }
  });
});
