import { z } from 'zod';
import { defineCheck, type CheckContext, type CheckResult } from '../../src/sdk/index.js';
import { parsePlaybookText } from '../../src/playbook/load.js';
import { validatePlaybook } from '../../src/playbook/validate.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { Command, Plan } from '../../src/plan/types.js';
import { runPlan, type RunDeps } from '../../src/run/run-plan.js';
import type { RunResult } from '../../src/run/types.js';

/** What the fake kind does for one node: called once per attempt or sample. */
export type Behaviour = (call: number, ctx: CheckContext) => Promise<CheckResult> | CheckResult;

/**
 * A check kind whose every attempt the test scripts per node id, so the runner (retries,
 * windows, timeouts, needs, concurrency) is tested without a real system or a subprocess.
 */
export function fakeKinds(behaviours: Record<string, Behaviour>) {
  const calls = new Map<string, number>();
  const definition = defineCheck({
    kind: 'fake',
    summary: 'a scripted observation (tests only)',
    params: z.strictObject({}),
    observes: 'number',
    mutates: false,
    async run(_params, ctx) {
      const call = (calls.get(ctx.nodeId) ?? 0) + 1;
      calls.set(ctx.nodeId, call);
      const behaviour = behaviours[ctx.nodeId.replace(/\[.*$/, '')];
      if (!behaviour) return { error: `no behaviour for ${ctx.nodeId}` };
      return behaviour(call, ctx);
    },
  });
  return { registry: { kinds: { fake: async () => definition }, systems: {} }, calls };
}

/** playbook text → validated → planned, as the CLI does it. */
export async function planOf(yaml: string, behaviours: Record<string, Behaviour>, command: Command = 'check'): Promise<{ plan: Plan; kinds: RunDeps['kinds']; calls: Map<string, number> }> {
  const loaded = parsePlaybookText(yaml, '/tmp/runner-test/rollout.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  const fake = fakeKinds(behaviours);
  const valid = await validatePlaybook(loaded.doc, fake.registry);
  if (!valid.ok) throw new Error(JSON.stringify(valid.diagnostics));
  const planned = buildPlan(valid.value, { env: 'test', command, processEnv: {} });
  if (!planned.ok) throw new Error(JSON.stringify(planned.diagnostics));
  return { plan: planned.value.plan, kinds: valid.value.kinds, calls: fake.calls };
}

export function deps(kinds: RunDeps['kinds'], extra: Partial<RunDeps> = {}): RunDeps {
  return { kinds, concurrency: 8, signal: new AbortController().signal, env: {}, version: 'test', ...extra };
}

/** Runs the plan to its end on vitest's fake clock. */
export async function runOnFakeClock(run: () => Promise<RunResult>, advance: (ms: number) => Promise<unknown>): Promise<RunResult> {
  let settled = false;
  const running = run().finally(() => (settled = true));
  for (let i = 0; i < 100_000 && !settled; i++) await advance(100);
  return running;
}

export const observe = (value: number): CheckResult => ({ observed: value });

export function playbook(nodes: string): string {
  return `version: 1\nname: runner\nenvironments: { test: {} }\ngates:\n${nodes}`;
}
