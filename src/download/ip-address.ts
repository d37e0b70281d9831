/**
 * IP address arithmetic for the SSRF guard. Pure: text → 32- or 128-bit integers and CIDR
 * blocks. Node's `net.isIP` validates; the parsing here only has to be right for valid input.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface ParsedAddress {
  family: 4 | 6;
  /** The address as an unsigned integer (32 bits for IPv4, 128 for IPv6). */
  value: bigint;
}

export interface Cidr {
  family: 4 | 6;
  base: bigint;
  prefix: number;
}

/** "fe80::1%eth0" → "fe80::1"; "[::1]" → "::1" (URL host form). */
export function bareAddress(text: string): string {
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = unbracketed.indexOf('%');
  return zone === -1 ? unbracketed : unbracketed.slice(0, zone);
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Value(text: string): bigint {
  let head = text;
  const groups: number[] = [];
  const tail: number[] = [];
  // A dotted IPv4 tail ("::ffff:10.0.0.1") stands for the last two groups.
  if (text.includes('.')) {
    const lastColon = text.lastIndexOf(':');
    const v4 = Number(ipv4Value(text.slice(lastColon + 1)));
    tail.push(Math.floor(v4 / 0x10000), v4 % 0x10000);
    head = text.slice(0, lastColon);
    if (head.endsWith(':')) head += ':';
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - tail.length - leftGroups.length - rightGroups.length;
  for (const group of leftGroups) groups.push(Number.parseInt(group, 16));
  for (let i = 0; i < missing; i++) groups.push(0);
  for (const group of rightGroups) groups.push(Number.parseInt(group, 16));
  groups.push(...tail);
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

/** Undefined when `text` is not an IP literal (a host name, or garbage). */
export function parseAddress(text: string): ParsedAddress | undefined {
  const bare = bareAddress(text);
  if (isIPv4(bare)) return { family: 4, value: ipv4Value(bare) };
  if (isIPv6(bare)) return { family: 6, value: ipv6Value(bare) };
  return undefined;
}

export function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** "10.0.0.0/8", "fd00::/8" or a single address; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const [addressText = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const address = parseAddress(addressText);
  if (!address) return undefined;
  const bits = address.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= bits)) return undefined;
  const hostBits = BigInt(bits - prefix);
  return { family: address.family, base: (address.value >> hostBits) << hostBits, prefix };
}

export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`invalid CIDR literal ${text}`);
  return parsed;
}

export function inCidr(address: ParsedAddress, block: Cidr): boolean {
  if (address.family !== block.family) return false;
  const hostBits = BigInt((block.family === 4 ? 32 : 128) - block.prefix);
  return address.value >> hostBits === block.base >> hostBits;
}
