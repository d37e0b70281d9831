/** Time as the program sees it. Injected everywhere so tests control it (sinon fake timers). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
