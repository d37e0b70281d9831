/**
 * SSRF guard, the pure half: which URLs and which network addresses a download may reach.
 *
 * The server runs inside AWS, where an HTTP GET to 169.254.169.254 (or the ECS/EKS credential
 * endpoints) hands out the instance's credentials, and private addresses reach internal
 * services. So a download may connect only to public unicast addresses, decided per address
 * actually connected to (see guarded-lookup.ts), never per host name. The rules, in order:
 *
 *   1. public unicast                                             → allowed
 *   2. address inside a DOWNLOAD_ALLOWED_HOSTS address block      → allowed
 *   3. unspecified, multicast, reserved/documentation ranges      → refused (nothing legitimate there)
 *   4. cloud credential endpoints (metadata)                      → refused (only rule 2 unlocks them)
 *   5. host name listed in DOWNLOAD_ALLOWED_HOSTS                 → allowed
 *   6. DOWNLOAD_ALLOW_PRIVATE_NETWORKS=true                       → allowed (loopback, private, link-local, CGNAT, ULA)
 *   7. anything else                                              → refused
 *
 * IPv6 forms that embed an IPv4 address (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4
 * 2002::/16) are judged by the IPv4 address inside, so they cannot smuggle one past the guard.
 */
import {
  bareAddress,
  type Cidr,
  cidr,
  formatIPv4,
  inCidr,
  type ParsedAddress,
  parseAddress,
  parseCidr,
} from './ip-address.js';

export const ADDRESS_CATEGORIES = [
  'public',
  'loopback',
  'private',
  'link-local',
  'metadata',
  'cgnat',
  'unique-local',
  'multicast',
  'unspecified',
  'reserved',
] as const;
export type AddressCategory = (typeof ADDRESS_CATEGORIES)[number];

/** Categories that DOWNLOAD_ALLOW_PRIVATE_NETWORKS (or a listed host name) unlocks. */
const PRIVATE_CATEGORIES: ReadonlySet<AddressCategory> = new Set([
  'loopback',
  'private',
  'link-local',
  'cgnat',
  'unique-local',
]);

/**
 * Credential and metadata endpoints: AWS IMDS (v4 and v6), ECS task credentials, EKS Pod
 * Identity (v4 and v6), Alibaba Cloud's metadata (inside CGNAT space).
 */
const METADATA = [
  '169.254.169.254',
  '169.254.170.2',
  '169.254.170.23',
  'fd00:ec2::254',
  'fd00:ec2::23',
  '100.100.100.200',
]
  .map((text) => parseAddress(text))
  .filter((a): a is ParsedAddress => a !== undefined);

const IPV4_RANGES: ReadonlyArray<[Cidr, AddressCategory]> = (
  [
    ['0.0.0.0/8', 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
    ['10.0.0.0/8', 'private'],
    ['100.64.0.0/10', 'cgnat'],
    ['127.0.0.0/8', 'loopback'],
    ['169.254.0.0/16', 'link-local'],
    ['172.16.0.0/12', 'private'],
    ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
    ['192.0.2.0/24', 'reserved'], // TEST-NET-1
    ['192.88.99.0/24', 'reserved'], // 6to4 relay anycast (deprecated)
    ['192.168.0.0/16', 'private'],
    ['198.18.0.0/15', 'reserved'], // benchmarking
    ['198.51.100.0/24', 'reserved'], // TEST-NET-2
    ['203.0.113.0/24', 'reserved'], // TEST-NET-3
    ['224.0.0.0/4', 'multicast'],
    ['240.0.0.0/4', 'reserved'], // future use, and 255.255.255.255 broadcast
  ] as const
).map(([block, category]) => [cidr(block), category]);

const IPV6_RANGES: ReadonlyArray<[Cidr, AddressCategory]> = (
  [
    ['::/128', 'unspecified'],
    ['::1/128', 'loopback'],
    ['::/96', 'reserved'], // IPv4-compatible (deprecated)
    ['64:ff9b:1::/48', 'private'], // local-use NAT64
    ['100::/64', 'reserved'], // discard-only
    ['2001::/32', 'reserved'], // Teredo: the far end is encoded, obfuscated
    ['2001:10::/28', 'reserved'], // ORCHID
    ['2001:20::/28', 'reserved'], // ORCHIDv2
    ['2001:db8::/32', 'reserved'], // documentation
    ['3fff::/20', 'reserved'], // documentation
    ['fc00::/7', 'unique-local'],
    ['fe80::/10', 'link-local'],
    ['fec0::/10', 'private'], // site-local (deprecated)
    ['ff00::/8', 'multicast'],
  ] as const
).map(([block, category]) => [cidr(block), category]);

const IPV4_MAPPED = cidr('::ffff:0:0/96');
const NAT64 = cidr('64:ff9b::/96');
const SIX_TO_FOUR = cidr('2002::/16');
const GLOBAL_UNICAST = cidr('2000::/3');

/** The IPv4 address an IPv6 address stands for, when it embeds one. */
function embeddedIPv4(address: ParsedAddress): ParsedAddress | undefined {
  if (inCidr(address, IPV4_MAPPED) || inCidr(address, NAT64)) {
    return { family: 4, value: address.value & 0xffffffffn };
  }
  if (inCidr(address, SIX_TO_FOUR)) return { family: 4, value: (address.value >> 80n) & 0xffffffffn };
  return undefined;
}

function categoryOf(address: ParsedAddress): AddressCategory {
  if (address.family === 6) {
    const v4 = embeddedIPv4(address);
    if (v4) return categoryOf(v4);
  }
  if (METADATA.some((m) => m.family === address.family && m.value === address.value)) return 'metadata';
  const ranges = address.family === 4 ? IPV4_RANGES : IPV6_RANGES;
  for (const [block, category] of ranges) if (inCidr(address, block)) return category;
  // Everything outside 2000::/3 is unassigned or special: refuse rather than guess.
  if (address.family === 6 && !inCidr(address, GLOBAL_UNICAST)) return 'reserved';
  return 'public';
}

/** Category of an IP literal; anything unparseable is `reserved` (refused: fail closed). */
export function classifyAddress(text: string): AddressCategory {
  const address = parseAddress(text);
  return address ? categoryOf(address) : 'reserved';
}

export interface AddressPolicySettings {
  allowPrivateNetworks: boolean;
  /** Host names ("media.internal"), suffixes ("*.corp.example"), addresses and CIDR blocks. */
  allowedHosts: readonly string[];
}

export interface AddressPolicy {
  allowPrivateNetworks: boolean;
  hostNames: ReadonlySet<string>;
  hostSuffixes: readonly string[];
  blocks: readonly Cidr[];
}

export type Verdict =
  | { ok: true }
  | { ok: false; code: 'bad_scheme' | 'bad_url' | 'refused_address'; reason: string; category?: AddressCategory };

const HOST_NAME = /^(?:\*\.)?[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/;

function normalHost(host: string): string {
  return bareAddress(host.toLowerCase()).replace(/\.$/, '');
}

/** Problems with DOWNLOAD_ALLOWED_HOSTS entries, one message each (empty when all are valid). */
export function allowedHostsProblems(entries: readonly string[]): string[] {
  return entries.flatMap((entry) => {
    const text = normalHost(entry.trim());
    if (parseCidr(text) || HOST_NAME.test(text)) return [];
    return [`"${entry}" is neither a host name, "*.domain", an IP address nor a CIDR block`];
  });
}

export function compileAddressPolicy(settings: AddressPolicySettings): AddressPolicy {
  const problems = allowedHostsProblems(settings.allowedHosts);
  if (problems.length > 0) throw new Error(`DOWNLOAD_ALLOWED_HOSTS: ${problems.join('; ')}`);
  const hostNames = new Set<string>();
  const hostSuffixes: string[] = [];
  const blocks: Cidr[] = [];
  for (const entry of settings.allowedHosts.map((e) => normalHost(e.trim()))) {
    const block = parseCidr(entry);
    if (block) blocks.push(block);
    else if (entry.startsWith('*.')) hostSuffixes.push(entry.slice(1));
    else hostNames.add(entry);
  }
  return { allowPrivateNetworks: settings.allowPrivateNetworks, hostNames, hostSuffixes, blocks };
}

function hostListed(policy: AddressPolicy, host: string): boolean {
  const name = normalHost(host);
  return policy.hostNames.has(name) || policy.hostSuffixes.some((suffix) => name.endsWith(suffix));
}

function describe(address: string, host: string): string {
  const bare = bareAddress(address);
  const parsed = parseAddress(bare);
  const v4 = parsed?.family === 6 ? embeddedIPv4(parsed) : undefined;
  const shown = v4 ? `${bare} (${formatIPv4(v4.value)})` : bare;
  return normalHost(host) === bare ? shown : `${host} → ${shown}`;
}

/** May a download connect to `address`, reached through the host name `host`? */
export function checkAddress(policy: AddressPolicy, address: string, host: string): Verdict {
  const parsed = parseAddress(address);
  const category = parsed ? categoryOf(parsed) : 'reserved';
  if (category === 'public') return { ok: true };
  if (parsed && policy.blocks.some((block) => inCidr(parsed, block))) return { ok: true };
  const refused = (why: string): Verdict => ({
    ok: false,
    code: 'refused_address',
    category,
    reason: `refusing to connect to ${describe(address, host)}: ${why}`,
  });
  if (!PRIVATE_CATEGORIES.has(category)) {
    return refused(category === 'metadata' ? 'cloud metadata/credentials endpoint' : `${category} address`);
  }
  if (hostListed(policy, host) || policy.allowPrivateNetworks) return { ok: true };
  return refused(`${category} address (set DOWNLOAD_ALLOWED_HOSTS or DOWNLOAD_ALLOW_PRIVATE_NETWORKS to allow it)`);
}

/** Before any connection: the scheme, and the host when it is an IP literal (no DNS for those). */
export function checkUrl(policy: AddressPolicy, url: URL): Verdict {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, code: 'bad_scheme', reason: `only http and https URLs can be downloaded, not ${url.protocol}` };
  }
  if (url.hostname === '') return { ok: false, code: 'bad_url', reason: 'the URL has no host' };
  const host = bareAddress(url.hostname);
  return parseAddress(host) ? checkAddress(policy, host, host) : { ok: true };
}
