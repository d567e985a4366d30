import type { CheckContext, CheckDefinition, CheckResult, EvaluationError, TimeWindow, WindowResult } from '../sdk/types.js';
import { formatDuration } from '../sdk/duration.js';
import { sleep } from './sleep.js';

/** How long we wait for a check to wind down (its children killed) after a timeout or Ctrl-C. */
export const SETTLE_MS = 7_000;

export interface AttemptOptions {
  timeoutMs?: number;
  /** The run's signal: Ctrl-C. */
  signal: AbortSignal;
  makeContext(signal: AbortSignal, timeoutMs: number): CheckContext;
}

/**
 * One bounded attempt. A timed-out attempt is `error` even if the check later succeeds; we
 * still wait (bounded) for it to stop, so no child outlives its node.
 */
export async function runAttempt<T extends CheckResult | WindowResult | EvaluationError>(call: (ctx: CheckContext) => Promise<T>, options: AttemptOptions): Promise<T | EvaluationError> {
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? 0;
  const onRunAbort = () => controller.abort(new Error('interrupted'));
  options.signal.addEventListener('abort', onRunAbort, { once: true });
  if (options.signal.aborted) controller.abort(new Error('interrupted'));
  const ctx = options.makeContext(controller.signal, timeoutMs || 2 ** 31 - 1);
  const running = (async () => {
    try {
      return await call(ctx);
    } catch (error) {
      return { error: `the check failed unexpectedly: ${(error as Error).message ?? String(error)}` } as EvaluationError;
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const stopped = new Promise<EvaluationError>((resolve) => {
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        controller.abort(new Error('timeout'));
        resolve({ error: `timed out after ${formatDuration(timeoutMs)}` });
      }, timeoutMs);
    }
    controller.signal.addEventListener('abort', () => {
      if (options.signal.aborted) resolve({ error: 'interrupted' });
    }, { once: true });
  });
  const result = await Promise.race([running, stopped]);
  clearTimeout(timer);
  options.signal.removeEventListener('abort', onRunAbort);
  if (controller.signal.aborted) {
    // Let the check stop its children (SIGTERM, grace, SIGKILL) before the node is done.
    await Promise.race([running, sleep(SETTLE_MS)]);
  }
  return result;
}

export function runCheck(definition: CheckDefinition, params: unknown, options: AttemptOptions): Promise<CheckResult> {
  return runAttempt((ctx) => definition.run(params, ctx), options);
}

export function runWindow(definition: CheckDefinition, params: unknown, window: TimeWindow, options: AttemptOptions): Promise<WindowResult | EvaluationError> {
  return runAttempt((ctx) => definition.runWindow!(params, ctx, window), options);
}
