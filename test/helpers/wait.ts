/** Waiting without sleeping: poll a condition with a deadline, or wait for an event. */
import type { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';

export async function waitFor<T>(
  check: () => T | Promise<T>,
  {
    timeoutMs = 10_000,
    intervalMs = 10,
    message = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await delay(intervalMs);
  }
}

export function nextEvent<T extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  { timeoutMs = 10_000, filter }: { timeoutMs?: number; filter?: (...args: T) => boolean } = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for event ${event}`));
    }, timeoutMs);
    const listener = (...args: unknown[]) => {
      if (filter && !filter(...(args as T))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as T);
    };
    emitter.on(event, listener);
  });
}
