/**
 * When a failed delivery is tried again: exponential backoff with jitter, so that receivers coming
 * back after an outage are not hit by every waiting delivery at the same instant.
 */

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before attempt `attempts + 1`, after `attempts` failed ones: base × 2^(attempts−1), capped,
 * then "equal jitter" (a random point in the upper half), so the delay still grows but never lines up.
 */
export function retryDelayMs(policy: RetryPolicy, attempts: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 40)));
  const half = exponential / 2;
  return Math.round(half + random() * half);
}

/** Whether a delivery that has failed `attempts` times goes to the dead letters instead of another try. */
export function isExhausted(policy: RetryPolicy, attempts: number): boolean {
  return attempts >= policy.maxAttempts;
}
