import { readdirSync } from 'node:fs';
import { get } from 'node:http';
import { expect } from 'chai';
import { CONTENT_SECURITY_POLICY, DASHBOARD_FILES, dashboardDir } from '../../../src/http/routes/dashboard.js';
import { postJson, startTestApi, type TestApi } from '../../helpers/api.js';

const TOKEN = 'a-long-enough-test-token';

function plainGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('dashboard static files', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('serves the page at / and each listed asset with its type, the CSP and revalidation headers', async () => {
    api = await startTestApi();
    const page = await api.request('/');
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    expect(page.body).to.include('<script type="module" src="/dashboard/dashboard.js"></script>');
    expect(page.headers.get('content-security-policy')).to.equal(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).to.match(/^default-src 'self';/);
    expect(page.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(page.headers.get('cache-control')).to.equal('no-cache');
    expect(page.headers.get('etag')).to.match(/^"[\w-]{27}"$/);

    for (const [name, type] of Object.entries(DASHBOARD_FILES)) {
      const asset = await api.request(`/dashboard/${name}`);
      expect(asset.status, name).to.equal(200);
      expect(asset.headers.get('content-type'), name).to.equal(type);
      expect(String(asset.body).length, name).to.be.greaterThan(50);
    }
    expect((await api.request('/dashboard/dashboard.js')).body).to.include("from './api.js'");
  });

  it('answers 304 when the browser already has the file', async () => {
    api = await startTestApi();
    const first = await api.request('/dashboard/dashboard.css');
    const etag = first.headers.get('etag') ?? '';
    // node:http, not fetch: fetch adds Cache-Control: no-cache to conditional requests.
    const again = await plainGet(`${api.url}/dashboard/dashboard.css`, { 'if-none-match': etag });
    expect(again.status).to.equal(304);
    expect(again.body).to.equal('');
    const changed = await plainGet(`${api.url}/dashboard/dashboard.css`, { 'if-none-match': '"other"' });
    expect(changed.status).to.equal(200);
  });

  it('serves only the listed files: no other name, no path out of the folder', async () => {
    api = await startTestApi();
    for (const path of [
      '/dashboard/package.json',
      '/dashboard/..%2F..%2F..%2F..%2Fpackage.json',
      '/dashboard/%2e%2e%2fapp.ts',
      '/dashboard/../routes/dashboard.ts',
      '/dashboard/',
      '/dashboard/index.html/x',
      '/index.html',
    ]) {
      const answer = await api.request(path);
      expect(answer.status, path).to.equal(404);
      expect(answer.body.error.code, path).to.equal('not_found');
    }
  });

  it('lists every file of the folder, and nothing that is not there', () => {
    const onDisk = readdirSync(dashboardDir()).sort();
    expect(Object.keys(DASHBOARD_FILES).sort()).to.deep.equal(onDisk);
  });

  it('answers other methods with 405 and leaves the API routes as they were', async () => {
    api = await startTestApi();
    const post = await api.request('/', postJson({}));
    expect(post.status).to.equal(405);
    expect(post.body.error.code).to.equal('method_not_allowed');
    expect((await api.request('/dashboard/dashboard.js', { method: 'DELETE' })).status).to.equal(405);
    expect((await api.request('/jobs')).status).to.equal(200);
    expect((await api.request('/health', postJson({}))).status).to.equal(405);
    const head = await fetch(`${api.url}/`, { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect(head.headers.get('content-type')).to.equal('text/html; charset=utf-8');
  });

  it('with API_TOKEN: the page and its assets load without the token, the API still needs it', async () => {
    api = await startTestApi({ apiToken: TOKEN });
    expect((await api.request('/')).status).to.equal(200);
    expect((await api.request('/dashboard/dashboard.js')).status).to.equal(200);
    expect((await api.request('/jobs')).status).to.equal(401);
    // Unknown dashboard names are not public: no probing of the folder without the token.
    expect((await api.request('/dashboard/secret.txt')).status).to.equal(401);
    expect((await api.request('/', postJson({}))).status).to.equal(401);
  });
});
