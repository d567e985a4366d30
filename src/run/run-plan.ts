import type { CheckDefinition, EvidenceAccess, OperatorInput } from '../sdk/types.js';
import { substitute, type Lookup } from '../playbook/interpolate.js';
import type { Plan, PlanNode } from '../plan/types.js';
import { parseResolved } from '../plan/parse-resolved.js';
import { createContextFactory, SharedResources } from './context.js';
import { evaluateNode } from './evaluate-node.js';
import { nodeIdentity, type NodeResult, type NodeStatus, type RunEvent, type RunResult } from './types.js';
import { decideVerdict } from './verdict.js';

export interface RunDeps {
  kinds: Map<string, CheckDefinition>;
  concurrency: number;
  /** Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  /** Environment for checks and their children. */
  env: Record<string, string | undefined>;
  version: string;
  /** `--at`: evaluate time-based checks as of this instant. */
  at?: Date;
  now?: () => Date;
  onEvent?: (event: RunEvent) => void;
  /** Results of nodes outside this run (from promote evidence), for ${nodes.X} references. */
  external?: (id: string) => NodeResult | undefined;
  /** When the stage's steps began, for its steps and verify (`prometheus.compare`'s `before` ends there). */
  stepsStartedAt?: Date;
  /** Start of `for:` windows per node role (a stage's steps end, a watch's start). */
  anchorFor?: (node: PlanNode) => Date | undefined;
  /** Results already known (earlier phases of a promote), readable by ${nodes.X}. */
  prior?: Map<string, NodeResult>;
  /** For `ifPassed: [X]` when X is not part of this run: did the promote being undone do X? */
  done?: (id: string) => boolean;
  /** One set of pools (and per-run state of kinds) across the phases of a command; the caller closes it. */
  shared?: SharedResources;
  operator?: (node: PlanNode) => OperatorInput;
  evidence?: EvidenceAccess;
  /** A message means: resolve this node's values and show them, but do not run it (dry runs). */
  notRun?: (node: PlanNode) => string | undefined;
  /** Whether a text holds a secret in any form: a command line that does is refused, not run. */
  holdsSecret?: (text: string) => boolean;
}

const SATISFIES_NEEDS: ReadonlySet<NodeStatus> = new Set(['pass', 'quiet', 'dry-run']);
export const ENVIRONMENT_SKIP = 'not in environment';

/** Passed, or dry-run in a dry run, or not meant for this environment (which satisfies needs). */
export function satisfiesNeeds(result: NodeResult): boolean {
  return SATISFIES_NEEDS.has(result.status) || (result.status === 'skipped' && result.message.startsWith(ENVIRONMENT_SKIP));
}

/**
 * Runs the DAG: a node starts the moment its needs pass (no polling), at most
 * `concurrency` at a time. A node whose needs did not pass is `skipped` with the reason.
 */
export async function runPlan(plan: Plan, deps: RunDeps): Promise<RunResult> {
  const startedAt = new Date();
  const now = deps.now ?? (deps.at ? atClock(deps.at) : () => new Date());
  const shared = deps.shared ?? new SharedResources();
  const logs = new Map<string, string[]>();
  const makeContext = createContextFactory({
    plan,
    env: deps.env,
    now,
    ...(deps.at ? { at: deps.at } : {}),
    ...(deps.stepsStartedAt ? { stepsStartedAt: deps.stepsStartedAt } : {}),
    shared,
    log: (node, line) => logs.set(node.id, [...(logs.get(node.id) ?? []), line]),
    ...(deps.operator ? { operator: deps.operator } : {}),
    ...(deps.evidence ? { evidence: deps.evidence } : {}),
  });
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const results = new Map<string, NodeResult>();
  const remaining = new Map(plan.nodes.map((n) => [n.id, n.needs.filter((need) => byId.has(need)).length]));
  const dependents = new Map<string, PlanNode[]>();
  for (const node of plan.nodes) for (const need of node.needs) if (byId.has(need)) dependents.set(need, [...(dependents.get(need) ?? []), node]);

  const ready: PlanNode[] = [];
  let running = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const complete = (node: PlanNode, result: NodeResult) => {
    results.set(node.id, result);
    deps.onEvent?.({ type: 'node-end', node, result });
    for (const dependent of dependents.get(node.id) ?? []) {
      const left = remaining.get(dependent.id)! - 1;
      remaining.set(dependent.id, left);
      if (left === 0) enqueue(dependent);
    }
    if (results.size === plan.nodes.length) finish();
  };

  const enqueue = (node: PlanNode) => {
    if (node.skip) return complete(node, skipped(node, node.skip === 'environment' ? `${ENVIRONMENT_SKIP} ${plan.env}` : node.skip));
    const blocked = node.needs.map((need) => results.get(need) ?? deps.prior?.get(need)).find((r) => r && !satisfiesNeeds(r));
    if (blocked) return complete(node, skipped(node, `needs ${blocked.id} (${blocked.status})`));
    const undone = node.ifPassed?.find((id) => !wasDone(id, results, deps));
    if (undone) return complete(node, skipped(node, `ifPassed: ${undone} was not done, nothing to undo`));
    if (deps.signal.aborted) return complete(node, skipped(node, 'interrupted before it started'));
    ready.push(node);
    pump();
  };

  const pump = () => {
    while (running < deps.concurrency && ready.length) {
      const node = ready.shift()!;
      running++;
      void execute(node).then((result) => {
        running--;
        complete(node, result);
        pump();
      });
    }
  };

  const execute = async (node: PlanNode): Promise<NodeResult> => {
    const started = new Date();
    const t0 = performance.now();
    deps.onEvent?.({ type: 'node-start', node });
    const definition = deps.kinds.get(node.kind)!;
    let params = node.params;
    let expect = node.expect;
    if (node.deferred) {
      const resolved = resolveNodeRefs(node, results, deps);
      if ('error' in resolved) return { ...skipped(node, resolved.error), status: 'error', startedAt: started.toISOString() };
      const checked = parseResolved(definition, node.params, resolved.params);
      if (!checked.success) return { ...skipped(node, `after resolving references: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`), status: 'error', startedAt: started.toISOString() };
      params = checked.data as Record<string, unknown>;
      expect = resolved.expect;
    }
    // ${nodes.X.outputs...} is known only now: a secret that came through it must not reach ps.
    const inArgv = deps.holdsSecret && findSecretInArgv(definition, params, deps.holdsSecret);
    if (inArgv) return { ...skipped(node, `with.${inArgv}: after resolving references the command line holds a secret, visible to every user in ps; pass it through env: and read it in the command`), status: 'error', startedAt: started.toISOString() };
    const notRun = deps.notRun?.(node);
    if (notRun) return { ...skipped(node, notRun), params, ...(expect !== undefined ? { expected: expect } : {}), status: 'dry-run', startedAt: started.toISOString() };
    const anchorAt = deps.anchorFor?.(node);
    const outcome = await evaluateNode(node, definition, params, expect, {
      signal: deps.signal,
      now,
      ...(deps.at ? { at: deps.at } : {}),
      dryRun: plan.dryRun,
      ...(anchorAt ? { anchorAt } : {}),
      makeContext,
      progress: (message) => deps.onEvent?.({ type: 'node-progress', node, message }),
    });
    const log = logs.get(node.id);
    const details = log?.length ? { ...outcome.details, log: log.join('\n') } : outcome.details;
    return { ...outcome, ...(details ? { details } : {}), startedAt: started.toISOString(), durationMs: Math.round(performance.now() - t0) };
  };

  if (plan.nodes.length === 0) finish();
  // Roots are collected first: a root that completes at once (skipped) makes its dependents
  // ready, and they must not be enqueued a second time as if they were roots.
  const roots = plan.nodes.filter((node) => remaining.get(node.id) === 0);
  for (const node of roots) enqueue(node);
  await done;
  if (!deps.shared) await shared.closeAll();
  const endedAt = new Date();
  const nodes = plan.nodes.map((n) => results.get(n.id)!);
  const interrupted = deps.signal.aborted;
  return {
    tool: { name: 'rollout', version: deps.version },
    playbook: { name: plan.playbook.name, file: plan.playbook.file, sha256: plan.playbook.sha256 },
    env: plan.env,
    command: plan.command,
    dryRun: plan.dryRun,
    partial: plan.partial,
    ...(deps.at ? { at: deps.at.toISOString() } : {}),
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - startedAt.getTime(),
    interrupted,
    ...decideVerdict(nodes, plan.command, interrupted),
    nodes,
  };
}

/** `--at`: the clock reads that instant, moving forward with real time (soaks still wait). */
function atClock(at: Date): () => Date {
  const offset = at.getTime() - Date.now();
  return () => new Date(Date.now() + offset);
}

/** The path (`command[2]`) of the first argv value that holds a secret. */
function findSecretInArgv(definition: CheckDefinition, params: Record<string, unknown>, holdsSecret: (text: string) => boolean): string | undefined {
  const search = (value: unknown, path: string): string | undefined => {
    if (typeof value === 'string' || typeof value === 'number') return holdsSecret(String(value)) ? path : undefined;
    if (Array.isArray(value)) return value.map((item, i) => search(item, `${path}[${i}]`)).find(Boolean);
    if (value && typeof value === 'object') return Object.entries(value).map(([key, item]) => search(item, `${path}.${key}`)).find(Boolean);
    return undefined;
  };
  return (definition.argvFields ?? []).map((field) => search(params[field], field)).find(Boolean);
}

export function skipped(node: PlanNode, message: string): NodeResult {
  return {
    ...nodeIdentity(node),
    status: 'skipped',
    durationMs: 0,
    attempts: 0,
    message,
    params: node.skip === 'environment' ? {} : node.params,
  };
}

/** A promote node passed (or was dry-run) in this run or an earlier phase; else ask the promote evidence. */
function wasDone(id: string, results: Map<string, NodeResult>, deps: RunDeps): boolean {
  const known = [...results.values(), ...(deps.prior?.values() ?? [])].filter((r) => r.baseId === id || r.id === id);
  const ran = known.filter((r) => r.status !== 'skipped');
  if (ran.length) return ran.some((r) => r.status === 'pass' || r.status === 'dry-run');
  if (known.length && !deps.done) return false;
  return deps.done?.(id) ?? false;
}

function resolveNodeRefs(node: PlanNode, results: Map<string, NodeResult>, deps: RunDeps): { params: Record<string, unknown>; expect?: string } | { error: string } {
  const lookup: Lookup = (reference, body) => {
    if (reference.type !== 'node') return { error: `\${${body}} was not resolved` };
    const instances = [...results.values(), ...(deps.prior?.values() ?? [])].filter((r) => r.baseId === reference.id);
    const result = instances.length === 1 ? instances[0] : instances.find((r) => r.id === reference.id) ?? deps.external?.(reference.id);
    if (!result) return { error: `\${${body}}: node ${reference.id} has no result in this run, and no promote evidence of this environment records it passing` };
    if (!SATISFIES_NEEDS.has(result.status)) return { error: `\${${body}}: node ${reference.id} did not pass (${result.status})` };
    if (reference.field === 'observed') return result.observed === undefined ? { error: `\${${body}}: node ${reference.id} observed nothing` } : { value: result.observed };
    let value: unknown = result.outputs;
    for (const part of reference.path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    return value === undefined ? { error: `\${${body}}: node ${reference.id} has no output ${reference.path.join('.')}` } : { value };
  };
  const resolved = substitute({ with: node.params, expect: node.expect }, lookup);
  if (resolved.errors.length) return { error: resolved.errors.map((e) => e.message).join('; ') };
  const value = resolved.value as { with: Record<string, unknown>; expect?: string };
  return { params: value.with, ...(value.expect !== undefined ? { expect: value.expect } : {}) };
}
