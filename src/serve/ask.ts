import { renderDocument, runSession, type SessionRequest } from '../session/index.js';
import type { Admission } from './admission.js';

export interface GateQuestion {
  playbook: string;
  env: string;
  /** `check`: the gates; `triggers`: the rollback triggers evaluated now (for rollback hooks). */
  what: 'check' | 'triggers';
  only?: string[];
  at?: Date;
}

export interface GateAnswer {
  /** The JSON report (as `--reporter json`), with the evidence path. */
  report: Record<string, unknown> & { verdict: string; exitCode: number };
  /** The blocking triggers' states, for rollback hooks. */
  triggers: { fired: number; errored: number };
}

export interface AskContext {
  files: Map<string, string>;
  evidenceStore?: string;
  requestTimeoutMs: number;
  admission: Admission;
  /** Aborted on shutdown past the grace period: runs stop and write their evidence. */
  shutdown: AbortSignal;
  log(line: string): void;
}

export class NotFound extends Error {}

/**
 * One gate question through the same session as the CLI: never mutating, bounded by the
 * request timeout (a run past it is `error`, never a pass), identical questions in flight
 * sharing one run.
 */
export async function askGates(question: GateQuestion, caller: string, context: AskContext): Promise<GateAnswer> {
  const file = context.files.get(question.playbook);
  if (!file) throw new NotFound(`no playbook named ${question.playbook}`);
  const key = JSON.stringify([question.playbook, question.env, question.what, question.only ?? [], question.at?.toISOString() ?? '']);
  return context.admission.run(key, async () => {
    const deadline = AbortSignal.timeout(context.requestTimeoutMs);
    const signal = AbortSignal.any([deadline, context.shutdown]);
    const request: SessionRequest = {
      playbookFile: file,
      command: question.what === 'check' ? 'check' : 'watch',
      env: question.env,
      ...(question.only?.length ? { only: question.only } : {}),
      ...(question.at ? { at: question.at } : {}),
      ...(context.evidenceStore !== undefined ? { evidenceStore: context.evidenceStore } : {}),
      commandLine: `rollout serve: ${question.what} ${question.playbook} --env ${question.env}${question.only?.length ? ` --only ${question.only.join(',')}` : ''} (caller: ${caller})`,
      neverMutate: true,
    };
    const outcome = await runSession(request, { signal, notice: (text) => context.log(text.trim()) });
    if (!outcome.ran) return { report: { verdict: 'error', exitCode: 2, problems: outcome.problems }, triggers: { fired: 0, errored: 0 } };
    const report = JSON.parse(renderDocument('json', outcome.result, outcome.evidence.ok ? outcome.evidence.path : undefined)) as GateAnswer['report'];
    if (!outcome.evidence.ok || outcome.evidence.spooled) report.evidenceError = outcome.evidence.ok ? outcome.evidence.error : outcome.evidence.error;
    // Cut short by the deadline (or shutdown): the gate could not be evaluated — error, never pass.
    if (outcome.result.interrupted) {
      report.verdict = 'error';
      report.exitCode = 3;
      report.message = deadline.aborted ? `the run took longer than the request timeout (${context.requestTimeoutMs} ms)` : 'the server is shutting down';
    } else report.exitCode = outcome.exitCode;
    const blocking = outcome.result.nodes.filter((n) => n.role === 'trigger' && n.severity === 'blocker');
    return { report, triggers: { fired: blocking.filter((n) => n.status === 'fired').length, errored: blocking.filter((n) => n.status === 'error').length } };
  });
}
