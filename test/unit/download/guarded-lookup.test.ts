import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { expect } from 'chai';
import sinon from 'sinon';
import { guardedLookup, type Resolver } from '../../../src/download/guarded-lookup.js';
import { compileAddressPolicy } from '../../../src/download/url-policy.js';
import { JobError } from '../../../src/jobs/job-error.js';

const strict = compileAddressPolicy({ allowPrivateNetworks: false, allowedHosts: [] });

type Answer = { error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };

function lookupWith(lookup: LookupFunction, host: string, options: LookupOptions = {}): Promise<Answer> {
  return new Promise((resolve) => {
    lookup(host, options, (error, address, family) => resolve({ error, address, family }));
  });
}

/** A fake DNS: host → addresses. */
function fakeDns(records: Record<string, string[]>): Resolver {
  return async (host) => {
    const found = records[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

const dns = fakeDns({
  'public.test': ['93.184.216.34', '2606:2800:220:1::1'],
  'metadata.test': ['169.254.169.254'],
  'imds6.test': ['fd00:ec2::254'],
  'loopback.test': ['127.0.0.1'],
  'private.test': ['10.0.0.7'],
  'mixed.test': ['93.184.216.34', '10.0.0.7'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'nat64.test': ['64:ff9b::a9fe:a9fe'],
  'cgnat.test': ['100.64.0.1'],
  'zero.test': ['0.0.0.0'],
});

describe('guarded lookup (SSRF guard, DNS half)', () => {
  const refusedNames = [
    'metadata.test',
    'imds6.test',
    'loopback.test',
    'private.test',
    'mixed.test',
    'mapped.test',
    'nat64.test',
    'cgnat.test',
    'zero.test',
  ];
  for (const host of refusedNames) {
    it(`refuses ${host} with a non-retryable error naming it`, async () => {
      const { error, address } = await lookupWith(guardedLookup(strict, dns), host, { all: true });
      expect(error).to.be.instanceOf(JobError);
      expect(error).to.include({ code: 'refused_address', retryable: false });
      expect(error?.message).to.contain(host);
      expect(address).to.equal('');
    });
  }

  it('answers a single address for callers that do not ask for all', async () => {
    const answer = await lookupWith(guardedLookup(strict, dns), 'public.test');
    expect(answer).to.deep.equal({ error: null, address: '93.184.216.34', family: 4 });
  });

  it('answers every address when asked for all (happy eyeballs)', async () => {
    const answer = await lookupWith(guardedLookup(strict, dns), 'public.test', { all: true });
    expect(answer.error).to.equal(null);
    expect(answer.address).to.deep.equal([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
  });

  it('honours a requested address family', async () => {
    const answer = await lookupWith(guardedLookup(strict, dns), 'public.test', { family: 6 });
    expect(answer).to.deep.equal({ error: null, address: '2606:2800:220:1::1', family: 6 });
  });

  it('passes resolver failures through unchanged (retryable DNS errors stay retryable)', async () => {
    const { error } = await lookupWith(guardedLookup(strict, dns), 'nowhere.test');
    expect(error?.code).to.equal('ENOTFOUND');
    expect(error).not.to.be.instanceOf(JobError);
  });

  it('judges the addresses of each lookup, so a changed DNS answer is judged again', async () => {
    const resolver = sinon.stub<[string], Promise<LookupAddress[]>>();
    resolver.onFirstCall().resolves([{ address: '93.184.216.34', family: 4 }]);
    resolver.onSecondCall().resolves([{ address: '169.254.169.254', family: 4 }]);
    const lookup = guardedLookup(strict, resolver);
    expect((await lookupWith(lookup, 'rebind.test')).error).to.equal(null);
    expect((await lookupWith(lookup, 'rebind.test')).error).to.include({ code: 'refused_address' });
    expect(resolver.callCount).to.equal(2);
  });

  it('lets allowed names and DOWNLOAD_ALLOW_PRIVATE_NETWORKS through to private addresses', async () => {
    const listed = compileAddressPolicy({ allowPrivateNetworks: false, allowedHosts: ['private.test'] });
    expect((await lookupWith(guardedLookup(listed, dns), 'private.test')).error).to.equal(null);
    expect((await lookupWith(guardedLookup(listed, dns), 'loopback.test')).error).to.include({
      code: 'refused_address',
    });
    const lenient = compileAddressPolicy({ allowPrivateNetworks: true, allowedHosts: [] });
    expect((await lookupWith(guardedLookup(lenient, dns), 'loopback.test')).error).to.equal(null);
    expect((await lookupWith(guardedLookup(lenient, dns), 'metadata.test')).error).to.include({
      code: 'refused_address',
    });
  });
});
