import { registry } from '../../checks/index.js';
import { formatDiagnostic, type Diagnostic } from '../playbook/diagnostics.js';
import { loadPlaybookFile } from '../playbook/load.js';
import { validatePlaybook, type ValidPlaybook } from '../playbook/validate.js';
import { buildPlan, type PlanOutput } from '../plan/build-plan.js';
import type { SessionRequest } from './types.js';

export type Opened<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Each distinct diagnostic once, as the lines a user reads. */
export function describeDiagnostics(diagnostics: Diagnostic[]): string[] {
  return [...new Set(diagnostics.map(formatDiagnostic))];
}

/** load → validate, as a value. */
export async function openPlaybook(file: string): Promise<Opened<ValidPlaybook>> {
  const loaded = loadPlaybookFile(file);
  if (!loaded.ok) return { ok: false, problems: describeDiagnostics(loaded.diagnostics) };
  const valid = await validatePlaybook(loaded.doc, registry);
  if (!valid.ok) return { ok: false, problems: describeDiagnostics(valid.diagnostics) };
  return { ok: true, value: valid.value };
}

/** What the command itself requires of the playbook (rollback needs steps, watch needs triggers). */
function commandProblems(valid: ValidPlaybook, request: SessionRequest): string[] {
  const { rollback } = valid.playbook;
  if (request.command === 'rollback' && !rollback?.steps?.length) return [`${request.playbookFile} has no rollback.steps: there is nothing to roll back.`];
  if (request.command === 'watch' && !rollback?.triggers?.length) return [`${request.playbookFile} has no rollback.triggers: there is nothing to watch.`];
  if (request.command === 'watch' && request.watch?.rollback && !rollback?.steps?.length) return [`--rollback, but ${request.playbookFile} has no rollback.steps.`];
  if (request.stage && request.fromStage) return ['--stage and --from exclude each other: --stage runs one stage, --from runs a stage and the ones after it.'];
  if (request.concurrency !== undefined && (!Number.isInteger(request.concurrency) || request.concurrency < 1)) return [`--concurrency ${request.concurrency}: expected a whole number ≥ 1`];
  return [];
}

/** load → validate → plan for one request; every refusal is a value. */
export async function openSession(request: SessionRequest): Promise<Opened<{ valid: ValidPlaybook; planned: PlanOutput }>> {
  const opened = await openPlaybook(request.playbookFile);
  if (!opened.ok) return opened;
  const problems = commandProblems(opened.value, request);
  if (problems.length) return { ok: false, problems };
  const plan = (dryRun: boolean) => buildPlan(opened.value, {
    env: request.env,
    command: request.command,
    dryRun,
    ...(request.only ? { only: request.only } : {}),
    ...(request.stage ? { stage: request.stage } : {}),
    ...(request.fromStage ? { fromStage: request.fromStage } : {}),
    ...(request.watch?.rollback ? { withRollback: true } : {}),
    processEnv: request.processEnv ?? process.env,
  });
  let planned = plan(request.dryRun ?? false);
  if (planned.ok && request.neverMutate && !planned.value.plan.dryRun && planned.value.plan.nodes.some((n) => n.mutates && !n.skip)) planned = plan(true);
  if (!planned.ok) return { ok: false, problems: describeDiagnostics(planned.diagnostics) };
  return { ok: true, value: { valid: opened.value, planned: planned.value } };
}

/** `validate --env E`: every value of that environment resolves, for every command that could run. */
export function checkEnvironmentResolves(valid: ValidPlaybook, env: string, processEnv: Record<string, string | undefined>): string[] {
  const problems = (['check', 'promote', 'rollback'] as const).flatMap((command) => {
    const planned = buildPlan(valid, { env, command, processEnv });
    return planned.ok ? [] : describeDiagnostics(planned.diagnostics);
  });
  return [...new Set(problems)];
}
