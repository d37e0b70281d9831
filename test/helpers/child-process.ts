/** Spawns test/helpers/child-server.ts (or another script) and exposes its JSON-line events. */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { nextEvent } from './wait.js';

export const CHILD_SERVER = fileURLToPath(new URL('./child-server.ts', import.meta.url));

export interface ChildEvent {
  event: string;
  [field: string]: unknown;
}

export class Child extends EventEmitter {
  readonly events: ChildEvent[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly process: ChildProcess) {
    super();
    createInterface({ input: process.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (!line.startsWith('{"event"')) return;
      const event = JSON.parse(line) as ChildEvent;
      this.events.push(event);
      this.emit('event', event);
    });
    createInterface({ input: process.stderr as NodeJS.ReadableStream }).on('line', (line) => this.stderr.push(line));
    this.exited = new Promise((resolve) => process.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The first event matching `match`: one already seen, or the next to come. */
  async waitFor(match: (event: ChildEvent) => boolean, timeoutMs = 30_000): Promise<ChildEvent> {
    const seen = this.events.find(match);
    if (seen) return seen;
    const [event] = await nextEvent<[ChildEvent]>(this, 'event', { timeoutMs, filter: match }).catch((error) => {
      throw new Error(`${(error as Error).message}; child stderr:\n${this.stderr.slice(-20).join('\n')}`);
    });
    return event;
  }

  count(match: (event: ChildEvent) => boolean): number {
    return this.events.filter(match).length;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL') {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill(signal);
    return this.exited;
  }
}

export function spawnChild(env: Record<string, string>, script = CHILD_SERVER): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, LOG_LEVEL: 'warn', ENABLE_SQS_POLLING: 'false', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Child(child);
}
