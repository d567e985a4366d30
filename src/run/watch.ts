import { formatDuration } from '../sdk/duration.js';
import { show } from '../expect/index.js';
import type { Plan, PlanNode } from '../plan/types.js';
import { blocked, PhaseRunner, runRollbackPhases } from './phases.js';
import { runPlan, type RunDeps } from './run-plan.js';
import { sleep } from './sleep.js';
import type { NodeResult, RunResult, SampleRecord } from './types.js';
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
  triggers: Array<{ id: string; state: 'quiet' | 'failing' | 'fired' | 'error'; observed?: unknown; message: string; severity: 'blocker' | 'warning' }>;
}

interface History {
  node: PlanNode;
  samples: Array<SampleRecord & { message: string }>;
  firedAt?: Date;
  last?: NodeResult;
}

/**
 * `watch`: evaluates every trigger every interval from the watch's start until the duration
 * has passed. A trigger fires when it failed at every evaluation in
 * [max(now − for, start), now] and `for` has passed since the start (at once without `for:`).
 * The first blocking trigger that fires ends the watch (and starts the rollback when asked);
 * warning triggers are reported and never roll back.
 */
export async function runWatch(plan: Plan, deps: RunDeps, options: WatchOptions): Promise<RunResult> {
  const phases = new PhaseRunner(plan, deps);
  const triggers = plan.nodes.filter((n) => n.role === 'trigger');
  const active = triggers.filter((n) => !n.skip);
  phases.record(triggers.filter((n) => n.skip).map((n) => ({ id: n.id, baseId: n.baseId, kind: n.kind, title: n.title, role: n.role, severity: n.severity, status: 'skipped' as const, durationMs: 0, attempts: 0, message: `not in environment ${plan.env}`, params: {} })));
  const history = new Map<string, History>(active.map((node) => [node.id, { node, samples: [] }]));
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
      const forMs = entry.node.forMs ?? 0;
      const windowStart = Math.max(at.getTime() - forMs, startedAt);
      const inWindow = entry.samples.filter((s) => Date.parse(s.at) >= windowStart);
      const fires = !entry.firedAt && at.getTime() - startedAt >= forMs && inWindow.length > 0 && inWindow.every((s) => s.status === 'fail');
      if (fires) entry.firedAt = at;
      const state = entry.firedAt ? 'fired' : status === 'error' ? 'error' : status === 'fail' ? 'failing' : 'quiet';
      report.triggers.push({ id: result.id, state, ...(result.observed !== undefined ? { observed: result.observed } : {}), message: result.message, severity: entry.node.severity });
      if (fires && entry.node.severity === 'blocker' && !firedBlocker) firedBlocker = entry;
    }
    options.onRound?.(report);
    if (firedBlocker || deps.signal.aborted) break;
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
  const lastSample = samples[samples.length - 1];
  const span = formatDuration(lastSample ? Date.parse(lastSample.at) - startedAt : 0);
  let status: NodeResult['status'];
  let message: string;
  if (entry.firedAt) {
    status = 'fired';
    message = `fired at ${entry.firedAt.toISOString()}: ${node.expect ?? 'the condition'} did not hold${window} (${failing.length} of ${samples.length} evaluations failing; last ${show(lastSample?.observed ?? null)})`;
  } else if (errors.length) {
    status = 'error';
    message = `could not be evaluated at ${errors.length} of ${samples.length} evaluations (first at ${errors[0]!.at}: ${errors[0]!.message})`;
  } else if (!samples.length) {
    status = 'error';
    message = 'never evaluated';
  } else {
    status = 'quiet';
    message = `quiet at all ${samples.length} evaluations over ${span}${failing.length ? ` (${failing.length} failing, never throughout${window})` : ''}`;
  }
  return {
    id: node.id,
    baseId: node.baseId,
    kind: node.kind,
    title: node.title,
    role: node.role,
    severity: node.severity,
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
