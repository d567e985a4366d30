import { formatDuration } from '../sdk/duration.js';
import { show } from '../expect/index.js';
import type { Plan, PlanNode } from '../plan/types.js';
import { blocked, PhaseRunner, runRollbackPhases } from './phases.js';
import { runPlan, type RunDeps } from './run-plan.js';
import { sleep } from './sleep.js';
import { assessCounts, countEvaluation, NO_COUNTS, type StoppingCounts, type StoppingLimits } from './stopping-rules.js';
import { nodeIdentity, type NodeResult, type RunResult, type SampleRecord } from './types.js';
import { EXIT } from './verdict.js';

export interface WatchOptions {
  durationMs: number;
  intervalMs: number;
  /** Run the rollback when a blocking trigger fires. */
  rollback: boolean;
  /** Called once per evaluation round, for the live view. */
  onRound?(round: WatchRound): void;
  /** Before rolling back (takes the lock); a message refuses the rollback. */
  beforeRollback?(): Promise<string | undefined>;
}

export interface WatchRound {
  at: Date;
  elapsedMs: number;
  triggers: Array<{ id: string; state: 'quiet' | 'failing' | 'fired' | 'error'; observed?: unknown; message: string; severity: 'blocker' | 'warning'; counts?: StoppingCounts & StoppingLimits }>;
}

interface History {
  node: PlanNode;
  samples: Array<SampleRecord & { message: string }>;
  firedAt?: Date;
  /** When the error streak went over consecutiveErrorLimit. */
  erroredAt?: Date;
  counts: StoppingCounts;
  last?: NodeResult;
}

/** Both limits default to 0 (fail closed): the first failure fires, the first error ends the watch. */
const limitsOf = (node: PlanNode): StoppingLimits => ({ failureLimit: node.failureLimit ?? 0, consecutiveErrorLimit: node.consecutiveErrorLimit ?? 0 });

/**
 * `watch`: evaluates every trigger every interval from the watch's start until the duration
 * has passed. A trigger fires when it failed at every evaluation in
 * [max(now − for, start), now] and `for` has passed since the start (at once without `for:`).
 * The first blocking trigger that fires ends the watch (and starts the rollback when asked);
 * warning triggers are reported and never roll back. With `failureLimit: N` a trigger fires
 * once more than N evaluations failed (in a row or not; with `for:` too, also when failing
 * throughout it). More than `consecutiveErrorLimit` errors in a row end the watch as an error.
 */
export async function runWatch(plan: Plan, deps: RunDeps, options: WatchOptions): Promise<RunResult> {
  const phases = new PhaseRunner(plan, deps);
  const triggers = plan.nodes.filter((n) => n.role === 'trigger');
  const active = triggers.filter((n) => !n.skip);
  phases.record(triggers.filter((n) => n.skip).map((n) => ({ ...nodeIdentity(n), status: 'skipped' as const, durationMs: 0, attempts: 0, message: `not in environment ${plan.env}`, params: {} })));
  const history = new Map<string, History>(active.map((node) => [node.id, { node, samples: [], counts: NO_COUNTS }]));
  // Each round evaluates the condition once, now; the window is judged here, over the rounds.
  const instant = active.map((node) => ({ ...node, forMs: undefined, retries: 0 }) as PlanNode);
  const startedAt = Date.now();
  const endsAt = startedAt + options.durationMs;
  // The watch ends when its duration is up, however slow the triggers: rounds start on the
  // interval grid (grid points missed while a round ran make one late round, not several), the round
  // due at the deadline may run a short closing allowance past it, and a round still running
  // at `stopAt` is CANCELLED — its checks are stopped (their children get SIGTERM, grace,
  // SIGKILL) and its evaluations discarded, so the watch overruns by at most the time its
  // checks take to stop (bounded by the runner's SETTLE_MS). A round that the last one's duration says cannot finish by `stopAt`
  // is not started.
  const stopAt = endsAt + Math.min(options.intervalMs / 2, CLOSING_ALLOWANCE_MS);
  let firedBlocker: History | undefined;
  let erroredBlocker: History | undefined;

  for (let slot = 0; ; ) {
    const at = new Date();
    const bound = boundSignal(deps.signal, stopAt - at.getTime());
    const { results } = await evaluateOnce(plan, instant, { ...deps, signal: bound.signal }, phases);
    bound.dispose();
    const roundMs = Date.now() - at.getTime();
    if (bound.expired()) break;
    const report: WatchRound = { at, elapsedMs: at.getTime() - startedAt, triggers: [] };
    for (const result of results) {
      const entry = history.get(result.id)!;
      const status = result.status === 'quiet' ? 'pass' : result.status === 'fired' ? 'fail' : 'error';
      entry.samples.push({ at: at.toISOString(), observed: result.observed ?? null, status, message: result.message });
      entry.last = result;
      entry.counts = countEvaluation(entry.counts, status);
      const limits = limitsOf(entry.node);
      const assessed = assessCounts(entry.counts, limits);
      const forMs = entry.node.forMs ?? 0;
      const windowStart = Math.max(at.getTime() - forMs, startedAt);
      const inWindow = entry.samples.filter((s) => Date.parse(s.at) >= windowStart);
      // `for:` alone keeps its "failing throughout" meaning; failureLimit counts failures.
      const throughout = (entry.node.forMs !== undefined || entry.node.failureLimit === undefined) && at.getTime() - startedAt >= forMs && inWindow.length > 0 && inWindow.every((s) => s.status === 'fail');
      const fires = !entry.firedAt && !entry.erroredAt && (throughout || (entry.node.failureLimit !== undefined && assessed === 'failed'));
      if (fires) entry.firedAt = at;
      if (!entry.firedAt && !entry.erroredAt && assessed === 'errored') entry.erroredAt = at;
      const state = entry.firedAt ? 'fired' : status === 'error' || entry.erroredAt ? 'error' : status === 'fail' ? 'failing' : 'quiet';
      report.triggers.push({ id: result.id, state, ...(result.observed !== undefined ? { observed: result.observed } : {}), message: result.message, severity: entry.node.severity, counts: { ...entry.counts, ...limits } });
      if (fires && entry.node.severity === 'blocker' && !firedBlocker) firedBlocker = entry;
      if (entry.erroredAt === at && entry.node.severity === 'blocker' && !erroredBlocker) erroredBlocker = entry;
    }
    options.onRound?.(report);
    if (firedBlocker || erroredBlocker || deps.signal.aborted) break;
    const now = Date.now();
    slot++;
    let next = startedAt + slot * options.intervalMs;
    if (next < now) {
      // Missed while the round ran: one late round now, not one per missed grid point.
      next = now;
      slot = Math.floor((now - startedAt) / options.intervalMs);
    }
    if (next > endsAt || next + roundMs > stopAt) break;
    if (!(await sleep(next - Date.now(), deps.signal))) break;
  }

  const watched = [...history.values()].map((entry) => summarise(entry, startedAt));
  phases.record(watched);
  for (const result of watched) deps.onEvent?.({ type: 'node-end', node: history.get(result.id)!.node, result });

  let rollback: { ok: boolean; refused?: string } | undefined;
  if (firedBlocker && options.rollback && !deps.signal.aborted) {
    const refusal = await options.beforeRollback?.();
    if (refusal) rollback = { ok: false, refused: refusal };
    else rollback = await runRollbackPhases(phases, plan.nodes.filter((n) => n.role === 'rollback-step'), plan.nodes.filter((n) => n.role === 'rollback-verify'));
  }

  return phases.finish((nodes) => {
    const blocking = nodes.filter((n) => n.severity === 'blocker');
    if (rollback) return rollback.ok ? { verdict: 'rolled-back', exitCode: EXIT.fired } : { verdict: 'rollback-failed', exitCode: EXIT.fail };
    if (blocking.some((n) => n.status === 'fired')) return { verdict: 'fired', exitCode: EXIT.fired };
    if (blocked(blocking)) return { verdict: 'error', exitCode: EXIT.error };
    return { verdict: 'pass', exitCode: EXIT.pass };
  });
}

/** How far past its duration the closing round of a watch may run (at most half an interval). */
const CLOSING_ALLOWANCE_MS = 1000;

/** The run's signal, also aborted after `ms`: `expired()` tells the deadline from a Ctrl-C. */
function boundSignal(run: AbortSignal, ms: number): { signal: AbortSignal; expired(): boolean; dispose(): void } {
  const controller = new AbortController();
  let expired = false;
  const onAbort = () => controller.abort(run.reason);
  if (run.aborted) controller.abort(run.reason);
  else run.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    expired = !run.aborted;
    controller.abort(new Error('the watch\'s duration is up'));
  }, Math.max(0, ms));
  return {
    signal: controller.signal,
    expired: () => expired,
    dispose: () => {
      clearTimeout(timer);
      run.removeEventListener('abort', onAbort);
    },
  };
}

/** One round: every trigger once, concurrently, without recording the round as a result. */
async function evaluateOnce(plan: Plan, nodes: PlanNode[], deps: RunDeps, phases: PhaseRunner): Promise<{ results: NodeResult[] }> {
  const result = await runPlan({ ...plan, nodes }, { ...deps, onEvent: () => {}, shared: phases.shared });
  return { results: result.nodes };
}

function summarise(entry: History, startedAt: number): NodeResult {
  const { node, samples, last } = entry;
  const window = node.forMs ? ` for ${formatDuration(node.forMs)}` : '';
  const failing = samples.filter((s) => s.status === 'fail');
  const errors = samples.filter((s) => s.status === 'error');
  const limits = limitsOf(node);
  const lastSample = samples[samples.length - 1];
  const span = formatDuration(lastSample ? Date.parse(lastSample.at) - startedAt : 0);
  let status: NodeResult['status'];
  let message: string;
  if (entry.firedAt) {
    status = 'fired';
    const limit = node.failureLimit !== undefined ? `, failureLimit ${node.failureLimit}` : '';
    message = `fired at ${entry.firedAt.toISOString()}: ${node.expect ?? 'the condition'} did not hold${window} (${failing.length} of ${samples.length} evaluations failing${limit}; last ${show(lastSample?.observed ?? null)})`;
  } else if (entry.erroredAt) {
    status = 'error';
    const streak = samples.slice(-(limits.consecutiveErrorLimit + 1));
    message = `ended the watch at ${entry.erroredAt.toISOString()}: ${streak.length === 1 ? 'an evaluation' : `${streak.length} evaluations in a row`} could not be evaluated, more than consecutiveErrorLimit ${limits.consecutiveErrorLimit} (${errors.length} errors of ${samples.length} evaluations; last: ${streak[streak.length - 1]!.message})`;
  } else if (!samples.length) {
    status = 'error';
    message = 'never evaluated';
  } else {
    status = 'quiet';
    const within = node.failureLimit !== undefined ? `within failureLimit ${node.failureLimit}` : `never throughout${window}`;
    const tolerated = errors.length ? `; ${errors.length} errors tolerated under consecutiveErrorLimit ${limits.consecutiveErrorLimit}: ${errors.map((e) => `${e.at} ${e.message}`).join('; ')}` : '';
    message = `quiet over ${span}: ${samples.length - failing.length - errors.length} of ${samples.length} evaluations passed${failing.length ? ` (${failing.length} failing, ${within})` : ''}${tolerated}`;
  }
  return {
    ...nodeIdentity(node),
    status,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: lastSample ? Date.parse(lastSample.at) - startedAt : 0,
    attempts: samples.length,
    ...(last?.observed !== undefined ? { observed: last.observed } : {}),
    ...(last?.expected !== undefined ? { expected: last.expected } : {}),
    message,
    params: last?.params ?? node.params,
    ...(last?.outputs ? { outputs: last.outputs } : {}),
    ...(last?.details ? { details: last.details } : {}),
    samples: samples.map(({ at, observed, status: s }) => ({ at, observed, status: s })),
  };
}
