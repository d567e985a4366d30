import type { CheckDefinition, CheckResult, EvaluationError, TimeWindow, WindowResult } from '../../../src/sdk/index.js';
import { createCheckContext, type TestContextOptions } from '../check-context.js';

export type TestContext = ReturnType<typeof createCheckContext>;

/** A context whose environment has one `prometheus` connection with these settings. */
export function prometheusContext(settings: Record<string, unknown>, options: Omit<TestContextOptions, 'connections'> = {}): TestContext {
  return createCheckContext({ ...options, connections: { prometheus: settings } });
}

/** Parses `with:` through the kind's schema (defaults applied), as the core does, then runs it. */
export async function runCheck(kind: CheckDefinition, params: unknown, ctx: TestContext): Promise<CheckResult> {
  try {
    return await kind.run(kind.params.parse(params), ctx);
  } finally {
    await ctx.close();
  }
}

export async function runCheckWindow(kind: CheckDefinition, params: unknown, ctx: TestContext, window: TimeWindow): Promise<WindowResult | EvaluationError> {
  try {
    return await kind.runWindow!(kind.params.parse(params), ctx, window);
  } finally {
    await ctx.close();
  }
}

export function minutesAfter(iso: string, minutes: number): Date {
  return new Date(Date.parse(iso) + minutes * 60_000);
}
