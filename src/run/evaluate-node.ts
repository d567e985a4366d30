import type { CheckContext, CheckDefinition, CheckResult, Details, Observed } from '../sdk/types.js';
import { isError } from '../sdk/types.js';
import { formatDuration } from '../sdk/duration.js';
import { judge, parseExpect, show, type Expectation } from '../expect/index.js';
import type { PlanNode } from '../plan/types.js';
import { runCheck, runWindow, type AttemptOptions } from './attempt.js';
import { judgeOptions, judgeResult, type Judged } from './judge-result.js';
import { sleep } from './sleep.js';
import { findGap } from './window-gaps.js';
import { nodeIdentity, type NodeResult, type NodeStatus, type SampleRecord } from './types.js';

export interface NodeEnvironment {
  signal: AbortSignal;
  now(): Date;
  /** Set when the run evaluates "as of" an instant (`--at`). */
  at?: Date;
  dryRun: boolean;
  /** The start of a `for:` window: the end of a stage's steps, or the watch's start. */
  anchorAt?: Date;
  makeContext(node: PlanNode, signal: AbortSignal, timeoutMs: number): CheckContext;
  progress(message: string): void;
}

interface Outcome extends Judged {
  attempts: number;
  outputs?: Record<string, unknown>;
  details?: Details;
  samples?: SampleRecord[];
}

/** Runs one node to its final status: attempts, retries, `for:` windows, triggers, dry runs. */
export async function evaluateNode(node: PlanNode, definition: CheckDefinition, params: Record<string, unknown>, expect: string | undefined, env: NodeEnvironment): Promise<Omit<NodeResult, 'durationMs' | 'startedAt'>> {
  const base = {
    ...nodeIdentity(node),
    params,
    ...(node.connection ? { connection: node.connection } : {}),
  };
  // The plan carries the effective expectation (the kind's default included).
  const expectText = expect;
  let expectation: Expectation | undefined;
  if (expectText !== undefined) {
    const parsed = parseExpect(expectText);
    if (!parsed.ok) return { ...base, status: 'error', attempts: 0, message: `expect: ${parsed.message}`, expected: expectText };
    expectation = parsed.expectation;
  }
  const expected = expectText !== undefined ? { expected: expectText } : {};

  if (node.mutates && env.dryRun) {
    if (definition.preflight) {
      const probe = await definition.preflight(params, env.makeContext(node, env.signal, node.timeoutMs ?? 30_000)).catch((error: Error) => ({ ok: false, message: error.message }));
      if (!probe.ok) return { ...base, ...expected, status: 'error', attempts: 0, message: `not runnable: ${probe.message}` };
      return { ...base, ...expected, status: 'dry-run', attempts: 0, message: `not run (dry run); runnable: ${probe.message}` };
    }
    return { ...base, ...expected, status: 'dry-run', attempts: 0, message: 'not run (dry run)' };
  }

  const attemptOptions: AttemptOptions = {
    ...(node.timeoutMs !== undefined ? { timeoutMs: node.timeoutMs } : {}),
    signal: env.signal,
    makeContext: (signal, timeoutMs) => env.makeContext(node, signal, timeoutMs),
  };
  let outcome: Outcome;
  if (node.forMs !== undefined) outcome = await evaluateWindow(node, definition, params, expectation, attemptOptions, env);
  else outcome = await evaluateWithRetries(node, definition, params, expectation, attemptOptions, env);

  let status: NodeStatus = outcome.status;
  let message = outcome.message;
  if (status === 'error' && node.onError === 'fail') {
    status = 'fail';
    message = `${message} (onError: fail)`;
  }
  if (status === 'inconclusive' && node.onInconclusive) {
    status = node.onInconclusive;
    message = `${message} (onInconclusive: ${node.onInconclusive})`;
  }
  const leftovers = outcome.details?.leftovers;
  if (Array.isArray(leftovers) && leftovers.length) message = `${message}; stopped ${leftovers.length} process(es) it left running (${leftovers.join('; ')})`;
  if (node.role === 'trigger') {
    // A trigger states the healthy condition: it fires when that did not hold. Too little
    // data neither fires it nor calls it quiet.
    status = status === 'pass' ? 'quiet' : status === 'fail' ? 'fired' : status === 'inconclusive' ? 'inconclusive' : 'error';
  } else if (node.severity === 'warning' && (status === 'fail' || status === 'error' || status === 'inconclusive')) status = 'warn';
  return {
    ...base,
    ...expected,
    status,
    attempts: outcome.attempts,
    message,
    ...(outcome.observed !== undefined ? { observed: outcome.observed } : {}),
    ...(outcome.reasons ? { reasons: outcome.reasons } : {}),
    ...(outcome.outputs ? { outputs: outcome.outputs } : {}),
    ...(outcome.details ? { details: outcome.details } : {}),
    ...(outcome.samples ? { samples: outcome.samples } : {}),
  };
}

async function evaluateWithRetries(node: PlanNode, definition: CheckDefinition, params: unknown, expectation: Expectation | undefined, options: AttemptOptions, env: NodeEnvironment): Promise<Outcome> {
  let attempts = 0;
  let last: Outcome | undefined;
  for (;;) {
    attempts++;
    const result = await runCheck(definition, params, options);
    const judged = judgeResult(result, node, definition, expectation);
    last = { ...judged, attempts, ...extras(result) };
    if (judged.status === 'pass' || env.signal.aborted || attempts > node.retries) break;
    env.progress(`attempt ${attempts} ${judged.status}: ${judged.message}; retrying in ${formatDuration(node.intervalMs)}`);
    if (!(await sleep(node.intervalMs, env.signal))) break;
  }
  return last;
}

function extras(result: CheckResult): Pick<Outcome, 'outputs' | 'details'> {
  const out: Pick<Outcome, 'outputs' | 'details'> = {};
  if (result.details) out.details = result.details;
  if (!isError(result) && result.outputs) out.outputs = result.outputs;
  return out;
}

/**
 * `for: D`: the condition held at every evaluation in [max(now − D, anchor), now]. Kinds with
 * history answer with one range query; others are sampled every `interval`.
 */
async function evaluateWindow(node: PlanNode, definition: CheckDefinition, params: unknown, expectation: Expectation | undefined, options: AttemptOptions, env: NodeEnvironment): Promise<Outcome> {
  const forMs = node.forMs!;
  const isTrigger = node.role === 'trigger';
  if (env.anchorAt) {
    const soakUntil = env.anchorAt.getTime() + forMs;
    const waitMs = soakUntil - env.now().getTime();
    if (waitMs > 0) {
      env.progress(`soaking ${formatDuration(waitMs)} (for: ${formatDuration(forMs)})`);
      if (!(await sleep(waitMs, env.signal))) return { status: 'error', message: 'interrupted', attempts: 0 };
    }
  }
  if (definition.runWindow) {
    // Under `--at` the window ends at that instant exactly: the run's clock has moved on by a
    // few ms, enough to drop a sample that sits on the window's edge. (A soak's window ends
    // when the soak does.)
    const to = env.at && !env.anchorAt ? env.at : env.now();
    const from = new Date(Math.max(to.getTime() - forMs, env.anchorAt?.getTime() ?? -Infinity));
    const stepMs = Math.min(15_000, Math.max(1_000, Math.floor(forMs / 20)));
    const result = await runWindow(definition, params, { from, to, stepMs }, options);
    if (isError(result)) return { status: 'error', message: result.error, attempts: 1, ...(result.details ? { details: result.details } : {}) };
    const gap = findGap(result.samples.map((s) => s.at.getTime()), from.getTime(), to.getTime(), result.stepMs);
    const samples = result.samples.map((sample) => {
      const judged = expectation ? judge(expectation, sample.observed, judgeOptions(node, definition, result)) : { status: 'error' as const, message: 'no expect' };
      return { at: sample.at.toISOString(), observed: sample.observed, status: judged.status, message: judged.message };
    });
    const summary = summarise(samples, expectation, forMs, isTrigger);
    if (gap) return { status: 'error', message: `gap in the window's samples: ${gap}`, attempts: 1, samples: strip(samples), ...(result.details ? { details: result.details } : {}) };
    // Below a traffic floor the samples say nothing either way (a 0/0 ratio is NaN): inconclusive.
    if (result.inconclusive) return { status: 'inconclusive', message: result.inconclusive, attempts: 1, ...(summary.observed !== undefined ? { observed: summary.observed } : {}), samples: strip(samples), ...(result.details ? { details: result.details } : {}) };
    return { ...summary, attempts: 1, samples: strip(samples), ...(result.details ? { details: result.details } : {}) };
  }
  // Sampling from the anchor (now, in `check`) until D has passed.
  const start = env.anchorAt && env.anchorAt.getTime() + forMs > env.now().getTime() ? env.anchorAt.getTime() : env.now().getTime();
  const end = start + forMs;
  const samples: Array<SampleRecord & { message: string }> = [];
  let last: CheckResult | undefined;
  for (let tick = 0; ; tick++) {
    const result = await runCheck(definition, params, options);
    last = result;
    const judged = judgeResult(result, node, definition, expectation);
    if (judged.status === 'inconclusive') {
      samples.push({ at: env.now().toISOString(), observed: judged.observed ?? null, status: 'error', message: judged.message });
      return { ...judged, attempts: samples.length, samples: strip(samples), ...extras(result) };
    }
    samples.push({ at: env.now().toISOString(), observed: judged.observed ?? null, status: judged.status, message: judged.message });
    if (judged.status === 'error' || env.signal.aborted) break;
    // A gate fails at its first failing sample; a trigger is quiet at its first healthy one.
    if (!isTrigger && judged.status === 'fail') break;
    if (isTrigger && judged.status === 'pass') break;
    if (env.now().getTime() >= end) break;
    env.progress(`sample ${samples.length}: ${judged.status}; window ends in ${formatDuration(end - env.now().getTime())}`);
    const next = Math.min(end, start + (tick + 1) * node.intervalMs);
    if (!(await sleep(next - env.now().getTime(), env.signal))) break;
  }
  const summary = summarise(samples, expectation, forMs, isTrigger);
  return { ...summary, attempts: samples.length, samples: strip(samples), ...(last ? extras(last) : {}) };
}

function strip(samples: Array<SampleRecord & { message: string }>): SampleRecord[] {
  return samples.map(({ at, observed, status }) => ({ at, observed, status }));
}

function summarise(samples: Array<SampleRecord & { message: string }>, expectation: Expectation | undefined, forMs: number, isTrigger: boolean): Judged {
  const window = formatDuration(forMs);
  const errored = samples.find((s) => s.status === 'error');
  const last = samples[samples.length - 1];
  if (errored) return { status: 'error', message: `sample at ${errored.at}: ${errored.message}` };
  if (!samples.length || !last) return { status: 'error', message: 'no samples in the window' };
  const failing = samples.filter((s) => s.status === 'fail');
  const observed = last.observed;
  if (isTrigger) {
    if (failing.length === samples.length) return { status: 'fail', message: `failed ${expectation?.text ?? ''} at all ${samples.length} samples over ${window}; first ${show(failing[0]!.observed)} at ${failing[0]!.at}, worst ${worst(failing, expectation)}`, observed };
    const healthy = samples.find((s) => s.status === 'pass')!;
    return { status: 'pass', message: `held ${expectation?.text ?? ''} at ${healthy.at} (${samples.length - failing.length} of ${samples.length} samples healthy over ${window})`, observed };
  }
  if (!failing.length) return { status: 'pass', message: `held ${expectation?.text ?? ''} at all ${samples.length} samples over ${window}`, observed };
  return {
    status: 'fail',
    message: `did not hold ${expectation?.text ?? ''} at ${failing.length} of ${samples.length} samples over ${window}; first ${show(failing[0]!.observed)} at ${failing[0]!.at}, worst ${worst(failing, expectation)}`,
    observed: failing[0]!.observed,
  };
}

/** The failing sample farthest from the threshold (numeric scalars), else the first. */
function worst(failing: Array<SampleRecord & { message: string }>, expectation: Expectation | undefined): string {
  const threshold = expectation && expectation.op !== 'in' && expectation.op !== 'match' && expectation.operand.type === 'number' ? expectation.operand.value : undefined;
  let pick = failing[0]!;
  if (threshold !== undefined) {
    let distance = -1;
    for (const sample of failing) {
      const value = scalarNumber(sample.observed);
      if (value !== undefined && Math.abs(value - threshold) > distance) {
        distance = Math.abs(value - threshold);
        pick = sample;
      }
    }
  }
  return `${show(pick.observed)} at ${pick.at}`;
}

function scalarNumber(observed: Observed): number | undefined {
  if (typeof observed === 'number') return observed;
  if (Array.isArray(observed)) {
    const values = observed.map((o) => Number(o.value)).filter(Number.isFinite);
    return values.length ? Math.max(...values) : undefined;
  }
  return typeof observed === 'string' && observed.trim() !== '' && Number.isFinite(Number(observed)) ? Number(observed) : undefined;
}
