import type { Plan, PlanNode, StageInstance } from '../plan/types.js';
import { SharedResources } from './context.js';
import { runPlan, skipped, type RunDeps } from './run-plan.js';
import type { NodeResult, RunResult, Verdict } from './types.js';
import { decideVerdict, EXIT } from './verdict.js';

/**
 * Runs a command as a sequence of phases — each one a DAG run of some of the plan's nodes,
 * seeing the results of the phases before it — and folds them into one RunResult.
 */
export class PhaseRunner {
  readonly results = new Map<string, NodeResult>();
  readonly order: NodeResult[] = [];
  readonly shared = new SharedResources();
  readonly startedAt = new Date();

  constructor(
    readonly plan: Plan,
    readonly deps: RunDeps,
  ) {}

  get interrupted(): boolean {
    return this.deps.signal.aborted;
  }

  /** Runs these nodes as one DAG. */
  async run(nodes: PlanNode[], extra: Partial<RunDeps> = {}): Promise<NodeResult[]> {
    if (!nodes.length) return [];
    const result = await runPlan({ ...this.plan, nodes }, { ...this.deps, ...extra, prior: this.results, shared: this.shared });
    this.record(result.nodes);
    return result.nodes;
  }

  /** Records nodes that will not run, with the reason. */
  skip(nodes: PlanNode[], message: string): void {
    for (const node of nodes) {
      const result = skipped(node, this.interrupted ? 'interrupted before it started' : message);
      this.record([result]);
      this.deps.onEvent?.({ type: 'node-end', node, result });
    }
  }

  record(results: NodeResult[]): void {
    for (const result of results) {
      this.results.set(result.id, result);
      this.order.push(result);
    }
  }

  async finish(decide: (nodes: NodeResult[]) => { verdict: Verdict; exitCode: number }): Promise<RunResult> {
    await this.shared.closeAll();
    const endedAt = new Date();
    const interrupted = this.interrupted;
    return {
      tool: { name: 'rollout', version: this.deps.version },
      playbook: { name: this.plan.playbook.name, file: this.plan.playbook.file, sha256: this.plan.playbook.sha256 },
      env: this.plan.env,
      command: this.plan.command,
      dryRun: this.plan.dryRun,
      partial: this.plan.partial,
      ...(this.deps.at ? { at: this.deps.at.toISOString() } : {}),
      startedAt: this.startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - this.startedAt.getTime(),
      interrupted,
      ...(interrupted ? { verdict: 'interrupted' as const, exitCode: EXIT.interrupted } : decide(this.order)),
      nodes: this.order,
    };
  }
}

/** A blocking node failed, errored or could not decide (warnings and environment skips do not count). */
export function blocked(results: NodeResult[]): NodeResult | undefined {
  return results.find((r) => r.severity === 'blocker' && (r.status === 'fail' || r.status === 'error' || r.status === 'inconclusive'));
}

const roles = (plan: Plan, ...wanted: PlanNode['role'][]) => plan.nodes.filter((n) => wanted.includes(n.role));
const DRY_VERIFY = 'not run (dry run): verify checks the state after steps that did not run';

/**
 * `promote`: the top-level gates, then each stage instance in order — its gates, its steps,
 * its verify (a `for:` soaks from the end of the steps), on failure its `onFailure`, then its
 * `finally`. The first failing stage stops the rest.
 */
export async function runPromote(plan: Plan, deps: RunDeps): Promise<RunResult> {
  const phases = new PhaseRunner(plan, deps);
  const notRun = (node: PlanNode) => (plan.dryRun && (node.role === 'verify' || node.role === 'rollback-verify') ? DRY_VERIFY : undefined);
  const gates = await phases.run(roles(plan, 'gate'), { notRun });
  let stop = blocked(gates) ? `top-level gate ${blocked(gates)!.id} did not pass (${blocked(gates)!.status})` : undefined;
  let rollback: { ok: boolean } | undefined;

  for (const stage of plan.stages ?? []) {
    const nodes = plan.nodes.filter((n) => n.stageInstance === stage.instance);
    const of = (...wanted: PlanNode['role'][]) => nodes.filter((n) => wanted.includes(n.role));
    if (stop || phases.interrupted) {
      phases.skip(nodes, `not started: ${stop ?? 'interrupted'}`);
      continue;
    }
    const failure = await runStage(phases, stage, of, notRun);
    // A partial run (--only) may have selected no rollback step: nothing rolled back, so the
    // verdict stays the stage's failure rather than claiming `rolled-back`.
    const rollbackSteps = roles(plan, 'rollback-step');
    if (failure && stage.onFailure === 'rollback' && !rollback && rollbackSteps.length) rollback = await runRollbackPhases(phases, rollbackSteps, roles(plan, 'rollback-verify'), notRun);
    // `finally` runs after a Ctrl-C too (maintenance mode must still be left): with its own
    // signal, which gives it FINALLY_AFTER_INTERRUPT_MS from the interrupt.
    const cleanup = finallySignal(deps.signal);
    await phases.run(of('finally'), { notRun, signal: cleanup.signal });
    cleanup.dispose();
    const finallyFailed = blocked(of('finally').map((n) => phases.results.get(n.id)!));
    if (failure || finallyFailed) stop = `stage ${stage.instance} failed${failure ? ` (${failure})` : ` (finally: ${finallyFailed!.id})`}`;
  }

  return phases.finish((nodes) => {
    const decided = decideVerdict(nodes.filter((n) => n.role !== 'rollback-step' && n.role !== 'rollback-verify'), 'promote', false);
    if (!rollback) return decided;
    return { verdict: rollback.ok ? 'rolled-back' : 'rollback-failed', exitCode: EXIT.fail };
  });
}

/** How long a stage's `finally` may still run after Ctrl-C / SIGTERM; then it is stopped too. */
export const FINALLY_AFTER_INTERRUPT_MS = 30_000;

/** A signal that aborts FINALLY_AFTER_INTERRUPT_MS after the run's signal does (a second Ctrl-C kills at once, in the CLI). */
function finallySignal(run: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    timer = setTimeout(() => controller.abort(new Error(`finally did not end within ${FINALLY_AFTER_INTERRUPT_MS / 1000}s of the interrupt`)), FINALLY_AFTER_INTERRUPT_MS);
  };
  if (run.aborted) start();
  else run.addEventListener('abort', start, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      run.removeEventListener('abort', start);
    },
  };
}

/** One stage instance up to (not including) `finally`; the reason it failed, if it did. */
async function runStage(phases: PhaseRunner, stage: StageInstance, of: (...roles: PlanNode['role'][]) => PlanNode[], notRun: RunDeps['notRun']): Promise<string | undefined> {
  const gates = await phases.run(of('stage-gate'), { notRun });
  const gateFailed = blocked(gates);
  if (gateFailed) {
    phases.skip([...of('step'), ...of('verify')], `stage gate ${gateFailed.id} did not pass (${gateFailed.status})`);
    return `gate ${gateFailed.id} ${gateFailed.status}`;
  }
  // On the run's clock: under --at the stage is judged as of that instant, so its steps began then.
  const stepsStartedAt = phases.deps.at ?? new Date();
  const steps = await phases.run(of('step'), { notRun, stepsStartedAt });
  // Each phase's clock starts at --at again, so the verify's soak is anchored there too; the
  // wall clock would make it wait for the whole gap between --at and now.
  const stepsEndedAt = phases.deps.at ?? new Date();
  const stepFailed = blocked(steps);
  if (stepFailed) {
    phases.skip(of('verify'), `step ${stepFailed.id} did not pass (${stepFailed.status})`);
    return `step ${stepFailed.id} ${stepFailed.status}`;
  }
  const verify = await phases.run(of('verify'), { notRun, stepsStartedAt, anchorFor: () => stepsEndedAt });
  const verifyFailed = blocked(verify);
  void stage;
  return verifyFailed ? `verify ${verifyFailed.id} ${verifyFailed.status}` : undefined;
}

/** The rollback's steps, then its verify (which runs even after a failed step: on-call wants to know the state). */
export async function runRollbackPhases(phases: PhaseRunner, steps: PlanNode[], verify: PlanNode[], notRun?: RunDeps['notRun']): Promise<{ ok: boolean }> {
  const done = await phases.run(steps, notRun ? { notRun } : {});
  const checked = await phases.run(verify, notRun ? { notRun } : {});
  return { ok: !blocked([...done, ...checked]) && !phases.interrupted };
}

/**
 * `rollback`: with --dry-run, every trigger evaluated now and every step checked for being
 * runnable (values resolved, preflight), verify shown resolved but not run. Without, the
 * steps then the verify.
 */
export async function runRollback(plan: Plan, deps: RunDeps): Promise<RunResult> {
  const phases = new PhaseRunner(plan, deps);
  const steps = roles(plan, 'rollback-step');
  const verify = roles(plan, 'rollback-verify');
  if (plan.dryRun) {
    await phases.run([...roles(plan, 'trigger'), ...steps]);
    await phases.run(verify, { notRun: () => 'not run (dry run): verify describes the state after a rollback' });
  } else {
    await runRollbackPhases(phases, steps, verify);
  }
  return phases.finish((nodes) => decideVerdict(nodes, 'rollback', false));
}
