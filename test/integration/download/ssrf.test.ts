import type { LookupAddress } from 'node:dns';
import { expect } from 'chai';
import type { Resolver } from '../../../src/download/guarded-lookup.js';
import { type MediaServer, startMediaServer } from '../../helpers/media-server.js';
import { attempt, filesIn, tempDir, testHandler } from './harness.js';

/** A fake DNS, so names can resolve to any address without the internet. */
function fakeDns(records: Record<string, string>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (host: string): Promise<LookupAddress[]> => {
    asked.push(host);
    const address = records[host];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
  return Object.assign(resolve, { asked });
}

describe('SSRF guard against real connections', function () {
  this.timeout(20_000);
  let media: MediaServer;
  let dir: ReturnType<typeof tempDir>;
  const dns = fakeDns({
    'media.internal': '127.0.0.1',
    'evil.test': '127.0.0.1',
    'metadata.test': '169.254.169.254',
    'localhost.test': '127.0.0.2',
  });
  const strict = { allowPrivateNetworks: false, allowedHosts: [] };

  beforeEach(async () => {
    media = await startMediaServer();
    media.file('/clip.mp4', { size: 10_000 });
    dir = tempDir();
    dns.asked.length = 0;
  });
  afterEach(async () => {
    await media.close();
    dir.remove();
  });

  it('refuses a private IP literal without connecting', async () => {
    const { error } = await attempt(testHandler(dir.path, strict, { resolver: dns }), 'j1', media.urlFor('/clip.mp4'));
    expect(error).to.include({ code: 'refused_address', retryable: false });
    expect(error?.message).to.contain('127.0.0.1').and.to.contain('loopback');
    expect(media.connections).to.equal(0);
    expect(filesIn(dir.path)).to.deep.equal({});
  });

  it('refuses a host name whose DNS answer is private, without connecting', async () => {
    const url = `http://evil.test:${media.port}/clip.mp4`;
    const { error } = await attempt(testHandler(dir.path, strict, { resolver: dns }), 'j2', url);
    expect(error).to.include({ code: 'refused_address', retryable: false });
    expect(error?.message).to.contain('evil.test → 127.0.0.1');
    expect(dns.asked).to.deep.equal(['evil.test']);
    expect(media.connections).to.equal(0);
  });

  it('connects to exactly the address the guarded lookup approved (allowed host name)', async () => {
    const url = `http://media.internal:${media.port}/clip.mp4`;
    const handler = testHandler(dir.path, { ...strict, allowedHosts: ['media.internal'] }, { resolver: dns });
    const { result, error } = await attempt(handler, 'j3', url);
    expect(error).to.equal(undefined);
    expect(result).to.include({ bytes: 10_000, sha256: media.sha256('/clip.mp4') });
    expect(dns.asked).to.deep.equal(['media.internal']);
    expect(media.connections).to.equal(1);
  });

  it('allows loopback with DOWNLOAD_ALLOW_PRIVATE_NETWORKS=true (development, tests)', async () => {
    const { result } = await attempt(
      testHandler(dir.path, { allowPrivateNetworks: true }),
      'j4',
      media.urlFor('/clip.mp4'),
    );
    expect(result).to.include({ bytes: 10_000 });
  });

  describe('redirects', () => {
    it('follows up to 5 redirects', async () => {
      const { result } = await attempt(testHandler(dir.path), 'r5', media.urlFor('/clip.mp4', { redirects: 5 }));
      expect(result).to.include({ bytes: 10_000, sha256: media.sha256('/clip.mp4') });
      expect(media.requests.map((r) => r.status)).to.deep.equal([302, 302, 302, 302, 302, 200]);
    });

    it('refuses a sixth redirect without following it', async () => {
      const { error } = await attempt(testHandler(dir.path), 'r6', media.urlFor('/clip.mp4', { redirects: 6 }));
      expect(error).to.include({ code: 'too_many_redirects', retryable: false });
      expect(media.requests).to.have.length(6);
      expect(media.requests.every((r) => r.status === 302)).to.equal(true);
    });

    // Private networks allowed (as in development) except where the target is itself private:
    // there the media server is reached through an allowlisted address instead.
    const lenient = { allowPrivateNetworks: true, allowedHosts: [] as string[] };
    const listed = { allowPrivateNetworks: false, allowedHosts: ['127.0.0.1'] };
    const refusedTargets: Array<[string, string, typeof lenient]> = [
      ['the metadata service', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/', lenient],
      ['IMDS over IPv6', 'http://[fd00:ec2::254]/latest/meta-data/', lenient],
      ['an IPv4-mapped metadata address', 'http://[::ffff:a9fe:a9fe]/', lenient],
      ['a name resolving to the metadata service', 'http://metadata.test/latest/', lenient],
      ['a private network', 'http://10.255.255.1:8080/internal', listed],
      ['loopback under another name', 'http://localhost.test:1/', listed],
    ];
    for (const [what, target, policy] of refusedTargets) {
      it(`refuses a redirect to ${what}`, async () => {
        const handler = testHandler(dir.path, policy, { resolver: dns });
        const url = media.urlFor('/clip.mp4', { redirects: 2, redirectTo: target });
        const { error } = await attempt(handler, 'rr', url);
        expect(error).to.include({ code: 'refused_address', retryable: false });
        expect(media.requests.map((r) => r.status)).to.deep.equal([302, 302]);
        expect(filesIn(dir.path)).to.deep.equal({});
      });
    }

    it('refuses a redirect to another scheme', async () => {
      const url = media.urlFor('/clip.mp4', { redirectTo: 'file:///etc/passwd' });
      const { error } = await attempt(testHandler(dir.path), 'rs', url);
      expect(error).to.include({ code: 'bad_scheme', retryable: false });
    });

    it('refuses a job URL with another scheme before doing anything', async () => {
      const { error } = await attempt(testHandler(dir.path), 'sch', 'ftp://127.0.0.1/clip.mp4');
      expect(error).to.include({ code: 'bad_scheme', retryable: false });
      expect(media.connections).to.equal(0);
    });
  });
});
