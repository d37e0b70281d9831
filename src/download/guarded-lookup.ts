/**
 * SSRF guard, the I/O half. The address check runs inside the DNS lookup that the socket
 * itself uses to connect (`lookup` option of http.request), so the address judged is exactly
 * the address connected to: a DNS answer that changes between a "check" and the "connect"
 * (DNS rebinding) cannot slip through, because there is no separate check. IP-literal hosts
 * skip DNS; url-policy's `checkUrl` judges those before any request. As a last line, the
 * socket's peer address is checked again on connect (see `guardSocket`).
 */
import { promises as dnsPromises, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction, Socket } from 'node:net';
import { downloadError } from './errors.js';
import { type AddressPolicy, checkAddress } from './url-policy.js';

/** Every address a host name resolves to. Injectable so tests need no DNS. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsPromises.lookup(hostname, { all: true, verbatim: true });

function wantedFamily(options: LookupOptions): 4 | 6 | undefined {
  const family = options.family as number | string | undefined;
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return undefined;
}

/**
 * A `lookup` for http.request that refuses the whole host when any address it resolves to is
 * refused: a name that answers with both a public and a metadata address is hostile.
 */
export function guardedLookup(policy: AddressPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const family = wantedFamily(options);
        const addresses = family === undefined ? found : found.filter((a) => a.family === family);
        const first = addresses[0];
        if (!first) {
          const error: NodeJS.ErrnoException = new Error(`${hostname} has no ${family ? `IPv${family} ` : ''}address`);
          error.code = 'ENOTFOUND';
          callback(error, '', 0);
          return;
        }
        for (const { address } of addresses) {
          const verdict = checkAddress(policy, address, hostname);
          if (!verdict.ok) {
            callback(downloadError.refusedAddress(verdict.reason), '', 0);
            return;
          }
        }
        if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/**
 * Checks the peer of a freshly connected socket and destroys it (before any request byte is
 * sent) when the address is refused. Redundant with the lookup, on purpose.
 */
export function guardSocket(policy: AddressPolicy, socket: Socket, host: string): void {
  const check = () => {
    const address = socket.remoteAddress;
    const verdict = address === undefined ? undefined : checkAddress(policy, address, host);
    if (verdict && !verdict.ok) socket.destroy(downloadError.refusedAddress(verdict.reason));
  };
  if (socket.connecting) socket.once('connect', check);
  else check();
}
