/**
 * The poller's view of the scheduler: room = free slots minus jobs already due locally, so a
 * node takes from SQS only what it can start now and leaves the rest to other nodes.
 */
import type { Clock } from '../clock.js';
import type { Db } from '../db/connection.js';
import type { Scheduler } from '../jobs/scheduler.js';
import { countReady } from '../jobs/store/index.js';
import type { PollerCapacity } from './poller.js';

export function schedulerCapacity(scheduler: Scheduler, db: Db, clock: Clock): PollerCapacity {
  return {
    async free() {
      if (!scheduler.isRunning) return 0;
      const slots = scheduler.concurrency - scheduler.runningCount;
      // Counting past slots + the largest prefetch would not change the answer.
      return slots - (await countReady(db, clock.now(), Math.max(0, slots) + 10));
    },
    changed(signal, maxMs) {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          scheduler.off('capacity', done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, maxMs);
        scheduler.on('capacity', done);
        signal.addEventListener('abort', done, { once: true });
      });
    },
    jobsAdded: () => scheduler.wake(),
  };
}
