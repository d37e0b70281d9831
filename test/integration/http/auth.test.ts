import { networkInterfaces } from 'node:os';
import { expect } from 'chai';
import { postJson, startTestApi, type TestApi } from '../../helpers/api.js';

const TOKEN = 'a-long-enough-test-token';

describe('HTTP API auth', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  describe('with API_TOKEN', () => {
    beforeEach(async () => {
      api = await startTestApi({ apiToken: TOKEN });
    });

    it('refuses every route but /health without the right bearer token (401, WWW-Authenticate)', async () => {
      for (const [path, init] of [
        ['/jobs', undefined],
        ['/jobs/stats', undefined],
        ['/metrics', undefined],
        ['/openapi.json', undefined],
        ['/jobs', postJson({ url: 'https://a.example/x' })],
      ] as const) {
        const missing = await api?.request(path, init);
        expect(missing?.status, path).to.equal(401);
        expect(missing?.headers.get('www-authenticate')).to.equal('Bearer');
        expect(missing?.body.error.code).to.equal('unauthorized');
        const wrong = await api?.request(path, {
          ...init,
          headers: { ...init?.headers, authorization: `Bearer ${TOKEN}x` },
        });
        expect(wrong?.status, path).to.equal(401);
      }
      expect((await api?.request('/health'))?.status).to.equal(200);
    });

    it('answers /health without the token with the status only, and in full with it', async () => {
      const anonymous = await api?.request('/health');
      expect(anonymous?.status).to.equal(200);
      expect(anonymous?.body).to.deep.equal({ status: 'ok' });
      const full = await api?.request('/health', { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(full?.body).to.include.keys('status', 'version', 'database', 'scheduler', 'jobs');
    });

    it('accepts the right token', async () => {
      const auth = { authorization: `Bearer ${TOKEN}` };
      expect((await api?.request('/jobs', { headers: auth }))?.status).to.equal(200);
      expect((await api?.request('/jobs', postJson({ url: 'https://a.example/x' }, auth)))?.status).to.equal(201);
    });
  });

  describe('without API_TOKEN', () => {
    it('lets this machine read and change', async () => {
      api = await startTestApi();
      expect((await api.request('/jobs'))?.status).to.equal(200);
      expect((await api.request('/jobs', postJson({ url: 'https://a.example/x' })))?.status).to.equal(201);
    });

    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    (external ? it : it.skip)(
      `refuses changes from another address (${external ?? 'no external interface here'})`,
      async () => {
        api = await startTestApi({ host: '0.0.0.0' });
        const port = new URL(api.url).port;
        const read = await fetch(`http://${external}:${port}/jobs`);
        expect(read.status).to.equal(200);
        const change = await fetch(`http://${external}:${port}/jobs`, postJson({ url: 'https://a.example/x' }));
        expect(change.status).to.equal(403);
        expect(((await change.json()) as { error: { message: string } }).error.message).to.contain('API_TOKEN');
      },
    );
  });
});
