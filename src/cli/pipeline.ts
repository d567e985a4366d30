import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry } from '../../checks/index.js';
import { formatDiagnostic, type Diagnostic } from '../playbook/diagnostics.js';
import { loadPlaybookFile } from '../playbook/load.js';
import { validatePlaybook, type ValidPlaybook } from '../playbook/validate.js';
import { buildPlan, type PlanOptions, type PlanOutput } from '../plan/build-plan.js';
import type { Command, Plan, PlanNode } from '../plan/types.js';
import { runPlan, type RunDeps } from '../run/run-plan.js';
import { evidenceAccess } from '../evidence/read-back.js';
import { buildOperator } from './operator.js';
import type { NodeResult, RunEvent, RunResult } from '../run/types.js';
import { EXIT } from '../run/verdict.js';
import { ciIdentity, currentHost, currentUser, gitCommit } from '../evidence/identity.js';
import { writeEvidence } from '../evidence/write.js';
import { killAllProcessGroups } from '../sdk/process.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import { renderMarkdownSummary } from '../report/markdown.js';
import { createPlainRenderer, renderSummary } from '../report/plain.js';
import { exportMetrics } from './metrics-output.js';
import { err, installRedaction, out, redactor } from './output.js';
import type { CommonOptions } from './program.js';
import { readVersion } from './version.js';

function withGitCommit(dir: string): { gitCommit?: string } {
  const commit = gitCommit(dir);
  return commit ? { gitCommit: commit } : {};
}

export type Step<T> = { ok: true; value: T } | { ok: false; code: number };

export function printDiagnostics(diagnostics: Diagnostic[]): void {
  const unique = [...new Map(diagnostics.map((d) => [formatDiagnostic(d), d])).keys()];
  err(`${unique.join('\n')}\n\n${unique.length} problem${unique.length === 1 ? '' : 's'}; nothing was run.\n`);
}

export async function loadValid(file: string): Promise<Step<ValidPlaybook>> {
  const loaded = loadPlaybookFile(file);
  if (!loaded.ok) {
    printDiagnostics(loaded.diagnostics);
    return { ok: false, code: EXIT.invalid };
  }
  const valid = await validatePlaybook(loaded.doc, registry);
  if (!valid.ok) {
    printDiagnostics(valid.diagnostics);
    return { ok: false, code: EXIT.invalid };
  }
  return { ok: true, value: valid.value };
}

export function preparePlan(valid: ValidPlaybook, opts: CommonOptions, command: Command, extra: Pick<PlanOptions, 'stage' | 'fromStage' | 'withRollback'> = {}): Step<PlanOutput> {
  const concurrency = Number(opts.concurrency ?? '8');
  const errors: string[] = [];
  if (!Number.isInteger(concurrency) || concurrency < 1) errors.push(`--concurrency ${opts.concurrency}: expected a whole number ≥ 1`);
  if (opts.at !== undefined && Number.isNaN(Date.parse(opts.at))) errors.push(`--at ${opts.at}: expected an ISO 8601 time such as 2026-11-17T14:30:00Z`);
  if (errors.length) {
    err(`${errors.join('\n')}\nnothing was run.\n`);
    return { ok: false, code: EXIT.invalid };
  }
  const planned = buildPlan(valid, {
    env: opts.env!,
    command,
    dryRun: opts.dryRun ?? false,
    ...(opts.only ? { only: opts.only.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    processEnv: process.env,
    ...extra,
  });
  if (!planned.ok) {
    printDiagnostics(planned.diagnostics);
    return { ok: false, code: EXIT.invalid };
  }
  for (const secret of planned.value.secrets) redactor.add(secret);
  installRedaction();
  return { ok: true, value: planned.value };
}

interface SystemSetup {
  env: Record<string, string | undefined>;
  cleanup(): Promise<void>;
}

/** Guards first (an unknown kube context refuses the run), then each system's child env. */
async function setUpSystems(valid: ValidPlaybook, plan: Plan): Promise<Step<SystemSetup>> {
  const tmpDir = mkdtempSync(join(tmpdir(), 'rollout-run-'));
  const env: Record<string, string | undefined> = { ...process.env };
  const cleanups: Array<() => Promise<void>> = [async () => rmSync(tmpDir, { recursive: true, force: true })];
  const cleanup = async () => void (await Promise.all(cleanups.map((c) => c().catch(() => {}))));
  const refusals: string[] = [];
  const info = { cwd: plan.playbook.dir, env: process.env, tmpDir };
  // Every system the environment names, not only those planned nodes use: an exec step's
  // kubectl must be confined to the environment's context too.
  const environment = valid.playbook.environments[plan.env] as Record<string, unknown>;
  for (const [name, system] of valid.systems) {
    if (environment[name] === undefined) continue;
    const connection = plan.connections.find((c) => c.system === name);
    if (!connection || (!system.guard && !system.childEnv)) continue;
    const refusal = await system.guard?.(connection.settings, info);
    if (refusal) refusals.push(`${name}: ${refusal}`);
    if (!refusal && system.childEnv) {
      const extra = await system.childEnv(connection.settings, info);
      Object.assign(env, extra.env);
      cleanups.push(extra.cleanup);
    }
  }
  if (refusals.length) {
    await cleanup();
    err(`${refusals.join('\n')}\nrefused: nothing was run.\n`);
    return { ok: false, code: EXIT.invalid };
  }
  return { ok: true, value: { env, cleanup } };
}

export interface ExecuteExtras {
  anchorFor?: (node: PlanNode) => Date | undefined;
  external?: (id: string) => NodeResult | undefined;
  /** For `ifPassed` on nodes outside the run (rollback, watch: from promote evidence). */
  done?: (id: string) => boolean;
  /** How the plan runs: runPlan by default; promote, rollback and watch run phases. */
  run?: (plan: Plan, deps: RunDeps) => Promise<RunResult>;
  /** The command prints its own live view (watch): no task list on a terminal. */
  linesOnly?: boolean;
  /** Text printed before the summary (a dry-run rollback's resolved steps). */
  describe?: (result: RunResult) => string;
}

/** Runs a plan with the chosen reporter, writes evidence (also on failure and Ctrl-C), reports. */
export async function executePlan(valid: ValidPlaybook, plan: Plan, opts: CommonOptions, extras: ExecuteExtras = {}): Promise<number> {
  const operator = buildOperator(plan, opts.approve, opts.approvals);
  if (!operator.ok) {
    err(`${operator.errors.join('\n')}\nnothing was run.\n`);
    return EXIT.invalid;
  }
  const systems = await setUpSystems(valid, plan);
  if (!systems.ok) return systems.code;
  const reporter = opts.reporter ?? (process.stdout.isTTY && !extras.linesOnly ? 'tty' : 'plain');
  const documentToStdout = (reporter === 'json' || reporter === 'junit' || reporter === 'markdown') && !opts.output;
  const color = opts.color !== false && !process.env.NO_COLOR;
  let renderer: { onEvent(event: RunEvent): void; finish?(): Promise<void> } | undefined;
  if (reporter === 'tty') renderer = await (await import('../report/tty.js')).createTtyRenderer(plan, { color });
  else if (!documentToStdout) renderer = createPlainRenderer(out);

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      err(`\n${signal}: stopping every running check (children get SIGTERM, then SIGKILL); evidence will be written.\n`);
      controller.abort();
    } else {
      killAllProcessGroups('SIGKILL');
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: RunResult;
  try {
    result = await (extras.run ?? runPlan)(plan, {
      kinds: valid.kinds,
      concurrency: Number(opts.concurrency ?? '8'),
      signal: controller.signal,
      env: systems.value.env,
      version: readVersion(),
      ...(opts.at ? { at: new Date(opts.at) } : {}),
      // Redact the data before a renderer formats or truncates it: a cut secret cannot be matched.
      onEvent: (event) => renderer?.onEvent(redactor.redactValue(event)),
      ...(extras.anchorFor ? { anchorFor: extras.anchorFor } : {}),
      ...(extras.external ? { external: extras.external } : {}),
      ...(extras.done ? { done: extras.done } : {}),
      operator: operator.value,
      evidence: evidenceAccess(opts.evidenceDir, plan.playbook.name),
    });
  } finally {
    await systems.value.cleanup();
  }
  await renderer?.finish?.();
  result = redactor.redactValue(result);
  const evidence = writeEvidence(result, {
    dir: opts.evidenceDir,
    redact: (text) => redactor.redact(text),
    meta: {
      user: currentUser(),
      host: currentHost(),
      ci: ciIdentity(),
      commandLine: ['rollout', ...process.argv.slice(2)].join(' '),
      ...withGitCommit(plan.playbook.dir),
      edges: plan.nodes.flatMap((n) => n.needs.map((need) => [need, n.id] as [string, string])),
    },
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const document = reporter === 'json' ? renderJson(result, { evidence }) : reporter === 'junit' ? renderJunit(result) : reporter === 'markdown' ? renderMarkdownSummary(result, evidence) : undefined;
  if (document !== undefined && opts.output) writeFileSync(opts.output, redactor.redact(document));
  else if (document !== undefined) out(document);
  if (!documentToStdout && extras.describe) out(extras.describe(result));
  if (!documentToStdout) out(renderSummary(result, evidence));
  await exportMetrics(result, opts);
  return result.exitCode;
}
