import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { runPlan } from '../../src/run/run-plan.js';
import type { RunResult } from '../../src/run/types.js';
import { deps, observe, planOf, playbook, runOnFakeClock, type Behaviour } from './runner-harness.js';

// The runner in-process on a fake clock: no subprocess, no real system, no real waiting.
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

async function run(nodes: string, behaviours: Record<string, Behaviour>, concurrency = 8): Promise<RunResult & { calls: Map<string, number> }> {
  const { plan, kinds, calls } = await planOf(playbook(nodes), behaviours);
  const result = await runOnFakeClock(() => runPlan(plan, deps(kinds, { concurrency })), (ms) => vi.advanceTimersByTimeAsync(ms));
  return { ...result, calls };
}
const byId = (result: RunResult, id: string) => result.nodes.find((n) => n.id === id)!;
const offsets = (result: RunResult, id: string) => byId(result, id).samples!.map((s) => Date.parse(s.at) - T0);

describe('for: windows of sampled kinds (sampled every interval from now until for: has passed)', () => {
  test('a gate that holds at every sample passes, sampled exactly every interval, both ends included', async () => {
    const result = await run('  - { id: soak, uses: fake, expect: "> 0", for: 10s, interval: 2s }\n', { soak: () => observe(1) });
    expect(byId(result, 'soak')).toMatchObject({ status: 'pass', attempts: 6 });
    expect(offsets(result, 'soak')).toEqual([0, 2000, 4000, 6000, 8000, 10000]);
    expect(byId(result, 'soak').message).toBe('held > 0 at all 6 samples over 10s');
  });

  test('a gate fails at its first failing sample and stops sampling there', async () => {
    const result = await run('  - { id: soak, uses: fake, expect: "> 0", for: 10s, interval: 2s }\n', { soak: (call) => observe(call < 4 ? 1 : 0) });
    expect(byId(result, 'soak')).toMatchObject({ status: 'fail', attempts: 4, observed: 0 });
    expect(offsets(result, 'soak')).toEqual([0, 2000, 4000, 6000]);
    expect(result.calls.get('soak')).toBe(4);
  });

  test('a sample that could not be taken makes the window error, never pass', async () => {
    const result = await run('  - { id: soak, uses: fake, expect: "> 0", for: 10s, interval: 2s }\n', { soak: (call) => (call === 3 ? { error: 'connection refused' } : observe(1)) });
    expect(byId(result, 'soak').status).toBe('error');
    expect(byId(result, 'soak').message).toBe('sample at 2026-01-01T00:00:04.000Z: connection refused');
  });

  test('no retries for a for: node: one window, whatever retries says', async () => {
    const result = await run('  - { id: soak, uses: fake, expect: "> 0", for: 4s, interval: 2s, retries: 3 }\n', { soak: () => observe(0) });
    expect(byId(result, 'soak')).toMatchObject({ status: 'fail', attempts: 1 });
  });
});

describe('retries', () => {
  test('further attempts come interval apart, and stop at the first pass', async () => {
    const at: number[] = [];
    const result = await run('  - { id: flaky, uses: fake, expect: "> 0", retries: 3, interval: 5s }\n', {
      flaky: (call) => {
        at.push(Date.now() - T0);
        return call === 1 ? { error: 'refused' } : observe(call === 2 ? 0 : 1);
      },
    });
    expect(byId(result, 'flaky')).toMatchObject({ status: 'pass', attempts: 3 });
    expect(at).toEqual([0, 5000, 10000]);
  });

  test('the last attempt decides: error, error, fail is fail; fail, fail, error is error', async () => {
    const result = await run('  - { id: a, uses: fake, expect: "> 0", retries: 2, interval: 1s }\n  - { id: b, uses: fake, expect: "> 0", retries: 2, interval: 1s }\n', {
      a: (call) => (call < 3 ? { error: 'refused' } : observe(0)),
      b: (call) => (call < 3 ? observe(0) : { error: 'refused' }),
    });
    expect(byId(result, 'a')).toMatchObject({ status: 'fail', attempts: 3 });
    expect(byId(result, 'b')).toMatchObject({ status: 'error', attempts: 3, message: 'refused' });
  });
});

describe('timeouts', () => {
  test('a timed-out attempt is error even when the check later completes with a passing value', async () => {
    let completedAt: number | undefined;
    const result = await run('  - { id: slow, uses: fake, expect: "> 0", timeout: 1s }\n', {
      // Ignores its signal on purpose: the verdict must not wait for, or take, its late answer.
      slow: async () => {
        await wait(3000);
        completedAt = Date.now() - T0;
        return observe(1);
      },
    });
    expect(byId(result, 'slow')).toMatchObject({ status: 'error', message: 'timed out after 1s', attempts: 1 });
    expect(completedAt).toBe(3000);
    expect(result.verdict).toBe('error');
  });

  test('a timeout aborts the attempt\'s signal, and a retry after it gets a fresh one', async () => {
    const aborted: boolean[] = [];
    const result = await run('  - { id: slow, uses: fake, expect: "> 0", timeout: 1s, retries: 1, interval: 1s }\n', {
      slow: async (call, ctx) => {
        if (call === 2) {
          aborted.push(ctx.signal.aborted);
          return observe(1);
        }
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        aborted.push(ctx.signal.aborted);
        return observe(1);
      },
    });
    expect(aborted).toEqual([true, false]);
    expect(byId(result, 'slow')).toMatchObject({ status: 'pass', attempts: 2 });
  });
});

describe('needs and concurrency', () => {
  test('a node whose need did not pass is skipped with the reason, transitively, and never run', async () => {
    const result = await run(
      '  - { id: a, uses: fake, expect: "> 0" }\n  - { id: b, uses: fake, expect: "> 0", needs: [a] }\n  - { id: c, uses: fake, expect: "> 0", needs: [b] }\n  - { id: d, uses: fake, expect: "> 0" }\n',
      { a: () => observe(0), b: () => observe(1), c: () => observe(1), d: () => observe(1) },
    );
    expect(byId(result, 'b')).toMatchObject({ status: 'skipped', message: 'needs a (fail)' });
    expect(byId(result, 'c')).toMatchObject({ status: 'skipped', message: 'needs b (skipped)' });
    expect(byId(result, 'd').status).toBe('pass');
    expect(result.calls.has('b')).toBe(false);
    expect(result.calls.has('c')).toBe(false);
    expect(result.exitCode).toBe(1);
  });

  test('at most --concurrency nodes run at once, and the run takes ceil(nodes / concurrency) rounds', async () => {
    let inFlight = 0;
    let most = 0;
    const slow: Behaviour = async () => {
      most = Math.max(most, ++inFlight);
      await wait(1000);
      inFlight--;
      return observe(1);
    };
    const ids = Array.from({ length: 10 }, (_, i) => `n${i}`);
    const result = await run(ids.map((id) => `  - { id: ${id}, uses: fake, expect: "> 0" }\n`).join(''), { n: slow, ...Object.fromEntries(ids.map((id) => [id, slow])) }, 3);
    expect(most).toBe(3);
    expect(result.nodes.every((n) => n.status === 'pass')).toBe(true);
    expect(Date.parse(result.endedAt) - T0).toBe(4000);
  });
});
