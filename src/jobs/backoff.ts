/**
 * Retry delays: exponential growth with "equal jitter" (half fixed, half random), so retries
 * of many jobs that failed together spread out, yet none comes back much sooner than planned.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before the attempt after `failedAttempt` (1-based). `random` returns [0, 1).
 * A server-provided hint (HTTP Retry-After) wins when it asks for longer, capped at maxMs.
 */
export function retryDelayMs(
  failedAttempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
  hintMs?: number,
): number {
  const exponent = Math.max(0, failedAttempt - 1);
  // 2 ** 52 already exceeds any sane cap; clamping the exponent keeps the arithmetic finite.
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 52));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  const delay = hintMs !== undefined && hintMs > jittered ? Math.min(hintMs, policy.maxMs) : jittered;
  return Math.round(delay);
}

/** "Full jitter" between `baseMs` and a cap that doubles per consecutive failure: for poll loops. */
export function fullJitterDelayMs(
  consecutiveFailures: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, consecutiveFailures - 1);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 52));
  return Math.round(policy.baseMs + random() * Math.max(0, ceiling - policy.baseMs));
}
