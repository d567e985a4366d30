// Stopping rules of a `watch` trigger, counted as Argo Rollouts' analysis counts its
// measurements: failures accumulate over the whole watch (not necessarily in a row); errors
// count only in a row, and any evaluation that was not an error (a pass, a failure, anything
// else that judged the condition) resets the streak. An error is never a failure.

export interface StoppingLimits {
  /** Fire when more than this many evaluations failed. */
  failureLimit: number;
  /** End the watch (error) when more than this many evaluations in a row errored. */
  consecutiveErrorLimit: number;
}

export interface StoppingCounts {
  failed: number;
  errors: number;
  consecutiveErrors: number;
}

export const NO_COUNTS: StoppingCounts = { failed: 0, errors: 0, consecutiveErrors: 0 };

/** The counts after one more evaluation. */
export function countEvaluation(counts: StoppingCounts, status: string): StoppingCounts {
  if (status === 'error') return { failed: counts.failed, errors: counts.errors + 1, consecutiveErrors: counts.consecutiveErrors + 1 };
  return { failed: counts.failed + (status === 'fail' ? 1 : 0), errors: counts.errors, consecutiveErrors: 0 };
}

/**
 * What the counts say: `errored` when the error streak is over its limit (checked last, so it
 * wins over a failure, as in Argo), `failed` when failures are over theirs, else `running`.
 */
export function assessCounts(counts: StoppingCounts, limits: StoppingLimits): 'errored' | 'failed' | 'running' {
  if (counts.consecutiveErrors > limits.consecutiveErrorLimit) return 'errored';
  if (counts.failed > limits.failureLimit) return 'failed';
  return 'running';
}
