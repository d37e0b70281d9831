import { expect } from 'chai';
import {
  type AddressCategory,
  allowedHostsProblems,
  checkAddress,
  checkUrl,
  classifyAddress,
  compileAddressPolicy,
} from '../../../src/download/url-policy.js';

const strict = compileAddressPolicy({ allowPrivateNetworks: false, allowedHosts: [] });
const lenient = compileAddressPolicy({ allowPrivateNetworks: true, allowedHosts: [] });

describe('url policy (SSRF guard, pure half)', () => {
  describe('classifyAddress', () => {
    const table: Array<[string, AddressCategory]> = [
      // IPv4
      ['93.184.216.34', 'public'],
      ['8.8.8.8', 'public'],
      ['1.1.1.1', 'public'],
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['10.0.0.1', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['172.32.0.1', 'public'],
      ['192.168.1.1', 'private'],
      ['169.254.0.1', 'link-local'],
      ['169.254.169.254', 'metadata'],
      ['169.254.170.2', 'metadata'],
      ['169.254.170.23', 'metadata'],
      ['100.64.0.1', 'cgnat'],
      ['100.127.255.255', 'cgnat'],
      ['100.128.0.1', 'public'],
      ['100.100.100.200', 'metadata'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['240.0.0.1', 'reserved'],
      ['255.255.255.255', 'reserved'],
      ['192.0.2.10', 'reserved'],
      ['198.18.0.1', 'reserved'],
      // IPv6
      ['::', 'unspecified'],
      ['::1', 'loopback'],
      ['0:0:0:0:0:0:0:1', 'loopback'],
      ['2606:4700:4700::1111', 'public'],
      ['2001:4860:4860::8888', 'public'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['fc00::1', 'unique-local'],
      ['fd12:3456:789a::1', 'unique-local'],
      ['fd00:ec2::254', 'metadata'],
      ['fd00:ec2::23', 'metadata'],
      ['ff02::1', 'multicast'],
      ['2001:db8::1', 'reserved'],
      ['2001::1', 'reserved'],
      ['4000::1', 'reserved'],
      // IPv6 that embeds IPv4: judged by the IPv4 inside
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::ffff:169.254.169.254', 'metadata'],
      ['::ffff:a9fe:a9fe', 'metadata'],
      ['::ffff:10.1.2.3', 'private'],
      ['::ffff:8.8.8.8', 'public'],
      ['64:ff9b::a9fe:a9fe', 'metadata'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['64:ff9b::8.8.8.8', 'public'],
      ['2002:a9fe:a9fe::1', 'metadata'],
      ['2002:c0a8:0101::1', 'private'],
      ['2002:0808:0808::1', 'public'],
      ['::127.0.0.1', 'reserved'],
      // not an address at all: fail closed
      ['not-an-ip', 'reserved'],
      ['', 'reserved'],
    ];
    for (const [address, category] of table) {
      it(`${address || '(empty)'} → ${category}`, () => {
        expect(classifyAddress(address)).to.equal(category);
      });
    }
  });

  describe('checkAddress', () => {
    it('allows public addresses under every policy', () => {
      expect(checkAddress(strict, '93.184.216.34', 'example.com').ok).to.equal(true);
      expect(checkAddress(strict, '2606:4700:4700::1111', 'one.one').ok).to.equal(true);
    });

    const refusedByDefault = ['127.0.0.1', '10.0.0.5', '192.168.0.10', '169.254.1.1', '100.64.1.1', 'fd00::5', '::1'];
    for (const address of refusedByDefault) {
      it(`refuses ${address} by default and allows it with DOWNLOAD_ALLOW_PRIVATE_NETWORKS`, () => {
        const verdict = checkAddress(strict, address, 'media.internal');
        expect(verdict.ok).to.equal(false);
        expect(verdict).to.include({ code: 'refused_address' });
        expect(checkAddress(lenient, address, 'media.internal').ok).to.equal(true);
      });
    }

    const alwaysRefused = [
      '169.254.169.254',
      'fd00:ec2::254',
      '::ffff:169.254.169.254',
      '0.0.0.0',
      '::',
      '224.0.0.1',
      'ff02::1',
      '255.255.255.255',
    ];
    for (const address of alwaysRefused) {
      it(`refuses ${address} even with DOWNLOAD_ALLOW_PRIVATE_NETWORKS=true`, () => {
        expect(checkAddress(lenient, address, 'x.test').ok).to.equal(false);
      });
    }

    it('names the host, the address and the reason in the refusal', () => {
      const verdict = checkAddress(strict, '169.254.169.254', 'evil.example');
      expect(verdict.ok).to.equal(false);
      if (!verdict.ok) {
        expect(verdict.reason).to.contain('evil.example → 169.254.169.254');
        expect(verdict.reason).to.contain('metadata');
        expect(verdict.category).to.equal('metadata');
      }
    });

    it('lets a listed host name reach private addresses, but not the metadata endpoint', () => {
      const policy = compileAddressPolicy({
        allowPrivateNetworks: false,
        allowedHosts: ['media.internal', '*.corp.example'],
      });
      expect(checkAddress(policy, '10.1.2.3', 'media.internal').ok).to.equal(true);
      expect(checkAddress(policy, '10.1.2.3', 'MEDIA.internal.').ok).to.equal(true);
      expect(checkAddress(policy, '10.1.2.3', 'cdn.corp.example').ok).to.equal(true);
      expect(checkAddress(policy, '10.1.2.3', 'corp.example').ok).to.equal(false);
      expect(checkAddress(policy, '10.1.2.3', 'other.internal').ok).to.equal(false);
      expect(checkAddress(policy, '169.254.169.254', 'media.internal').ok).to.equal(false);
    });

    it('lets a listed address block reach exactly those addresses, whatever the name', () => {
      const policy = compileAddressPolicy({
        allowPrivateNetworks: false,
        allowedHosts: ['10.20.0.0/16', 'fd00:1::/32', '127.0.0.1'],
      });
      expect(checkAddress(policy, '10.20.5.5', 'anything.test').ok).to.equal(true);
      expect(checkAddress(policy, '10.21.0.1', 'anything.test').ok).to.equal(false);
      expect(checkAddress(policy, 'fd00:1::9', 'anything.test').ok).to.equal(true);
      expect(checkAddress(policy, '127.0.0.1', 'localhost').ok).to.equal(true);
      expect(checkAddress(policy, '127.0.0.2', 'localhost').ok).to.equal(false);
    });
  });

  describe('checkUrl', () => {
    const refused: Array<[string, string]> = [
      ['ftp://example.com/a.mp4', 'bad_scheme'],
      ['file:///etc/passwd', 'bad_scheme'],
      ['gopher://example.com/', 'bad_scheme'],
      ['data:video/mp4;base64,AAAA', 'bad_scheme'],
      ['http://127.0.0.1/a.mp4', 'refused_address'],
      ['http://169.254.169.254/latest/meta-data/', 'refused_address'],
      ['http://[::1]:8080/', 'refused_address'],
      ['http://[::ffff:169.254.169.254]/', 'refused_address'],
      ['http://[fd00:ec2::254]/', 'refused_address'],
      ['http://0x7f.1/', 'refused_address'], // WHATWG URL parsing turns these into 127.0.0.1
      ['http://2130706433/', 'refused_address'],
      ['http://0177.0.0.1/', 'refused_address'],
      ['http://0/', 'refused_address'],
      ['http://10.0.0.1:9000/x', 'refused_address'],
    ];
    for (const [url, code] of refused) {
      it(`refuses ${url} (${code}) before any connection`, () => {
        expect(checkUrl(strict, new URL(url))).to.include({ ok: false, code });
      });
    }

    it('lets host names through to the lookup, where their addresses are judged', () => {
      expect(checkUrl(strict, new URL('https://media.example.com/clip.mp4')).ok).to.equal(true);
      expect(checkUrl(strict, new URL('http://localhost:3000/')).ok).to.equal(true);
    });

    it('accepts public IP literals', () => {
      expect(checkUrl(strict, new URL('http://93.184.216.34/a.mp4')).ok).to.equal(true);
      expect(checkUrl(strict, new URL('http://[2606:4700:4700::1111]/a.mp4')).ok).to.equal(true);
    });
  });

  describe('DOWNLOAD_ALLOWED_HOSTS entries', () => {
    it('accepts names, wildcard suffixes, addresses and CIDR blocks', () => {
      expect(
        allowedHostsProblems(['media.internal', '*.corp.example', '10.0.0.0/8', 'fd00::/8', '127.0.0.1', 'host_1']),
      ).to.deep.equal([]);
    });

    it('reports each malformed entry', () => {
      const problems = allowedHostsProblems(['10.0.0.0/33', 'bad host', 'a/b/c', '*']);
      expect(problems).to.have.length(4);
      expect(problems[0]).to.contain('10.0.0.0/33');
    });

    it('refuses to compile a policy from malformed entries, naming the variable', () => {
      expect(() => compileAddressPolicy({ allowPrivateNetworks: false, allowedHosts: ['10.0.0.0/99'] })).to.throw(
        /DOWNLOAD_ALLOWED_HOSTS/,
      );
    });
  });
});
