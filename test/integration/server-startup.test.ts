import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { StartupError, startServer } from '../../src/server.js';

describe('server start-up checks', () => {
  let dir: string;
  const base = () => ({ PORT: '0', HOST: '127.0.0.1', ENABLE_SQS_POLLING: 'false', LOG_LEVEL: 'silent' });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'startup-test-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start when a data directory is not writable, naming the variable', async () => {
    // A path below a regular file can never be created, whoever runs the test (root included).
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    for (const [variable, env] of [
      ['DATABASE_PATH', { DATABASE_PATH: join(file, 'jobs.db'), DOWNLOAD_DIR: join(dir, 'dl') }],
      ['DOWNLOAD_DIR', { DATABASE_PATH: join(dir, 'jobs.db'), DOWNLOAD_DIR: join(file, 'dl') }],
    ] as const) {
      const config = loadConfig({ ...base(), ...env });
      const error = await startServer({ config, logger: silentLogger(), handlers: new Map() }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(StartupError);
      expect((error as Error).message).to.match(new RegExp(`^${variable}: directory .* is not writable`));
    }
  });

  it('reports low free disk space as a degraded /health', async () => {
    const config = loadConfig({
      ...base(),
      DATABASE_PATH: join(dir, 'jobs.db'),
      DOWNLOAD_DIR: join(dir, 'downloads'),
      DISK_FREE_WARN_BYTES: '5000TB',
    });
    const server = await startServer({ config, logger: silentLogger(), handlers: new Map() });
    try {
      const health = (await (await fetch(`${server.url}/health`)).json()) as {
        status: string;
        disk: Record<string, unknown>;
      };
      expect(health.status).to.equal('degraded');
      expect(health.disk).to.include({ degraded: true, path: join(dir, 'downloads') });
      expect(health.disk.freeBytes).to.be.a('number');
    } finally {
      await server.stop();
    }
  });
});
