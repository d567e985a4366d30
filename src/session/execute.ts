import { resolve } from 'node:path';
import { loadSigningKey } from '../evidence/attest/load.js';
import type { SigningKey } from '../evidence/attest/ssh-key.js';
import { evidenceAccess, promoteRecord } from '../evidence/read-back.js';
import { takeLock } from '../lock/index.js';
import type { ValidPlaybook } from '../playbook/validate.js';
import type { PlanOutput } from '../plan/build-plan.js';
import { EXIT } from '../run/verdict.js';
import type { RunResult } from '../run/types.js';
import { Redactor } from '../secrets/redactor.js';
import type { EvidenceStore } from '../evidence/store.js';
import { recordEvidence, selectEvidenceStore } from './evidence.js';
import { identifyRun } from './identity.js';
import { locateNodes } from './locate-nodes.js';
import { buildOperator } from './operator.js';
import { runnerFor } from './runner.js';
import { writeSinks } from './sinks.js';
import { setUpSystems } from './systems.js';
import type { Ran, SessionIO, SessionOutcome, SessionRequest } from './types.js';
import { readVersion } from './version.js';

const refused = (problems: string[]): SessionOutcome => ({ ran: false, exitCode: EXIT.invalid, problems });

/** Reads back earlier promotes only where a command may refer to them (rollback, watch, promote's ${nodes.X}). */
function readBack(request: SessionRequest, store: EvidenceStore, playbook: string) {
  if (request.command === 'check') return {};
  const record = promoteRecord(store, request.env, playbook);
  return { external: record.external, done: record.done };
}

/**
 * One opened session to its outcome: operator input, confirmation and the lock (mutating
 * runs), systems, the run, redaction, evidence, sinks. Nothing here prints: the caller gets
 * values (and live events through `io`).
 */
export async function executeSession(request: SessionRequest, opened: { valid: ValidPlaybook; planned: PlanOutput }, io: SessionIO): Promise<SessionOutcome> {
  const { valid } = opened;
  const { plan, secrets } = opened.planned;
  const redactor = new Redactor();
  for (const secret of secrets) redactor.add(secret);
  io.onSecrets?.(secrets);
  const processEnv = request.processEnv ?? process.env;
  const signKey = request.signKeyFile ? loadSigningKey(request.signKeyFile) : undefined;
  if (signKey && !signKey.ok) return refused([signKey.message]);
  const identity = identifyRun(request.commandLine, plan.playbook.dir, processEnv);
  const selected = selectEvidenceStore(request, valid, processEnv);
  if (!selected.ok) return refused([selected.message]);
  const { store } = selected;

  const operator = buildOperator(plan, identity, { ...(request.approve ? { approve: request.approve } : {}), ...(request.approvalsFile ? { approvalsFile: request.approvalsFile } : {}), ...(io.ask ? { ask: io.ask } : {}) });
  if (!operator.ok) return refused(operator.problems);
  for (const warning of operator.warnings) io.notice(warning);

  // A real promote/rollback changes systems: confirmed and locked before anything runs. A
  // watch asks now (not at 3 a.m. when a trigger fires) and locks only when it rolls back.
  const mutating = (request.command === 'promote' || request.command === 'rollback' || (request.command === 'watch' && request.watch?.rollback)) && !plan.dryRun;
  if (mutating) {
    const verb = request.command === 'watch' ? 'rollout watch --rollback may roll back' : `rollout ${request.command} will change`;
    const confirmed = io.confirm ? await io.confirm(plan.env, `${verb} ${plan.playbook.name}`) : { ok: false as const, reason: `${verb} ${plan.playbook.name} in ${plan.env} needs confirmation, and this caller cannot give it` };
    if (!confirmed.ok) return refused([`refused: ${confirmed.reason}`]);
  }
  const releases: Array<() => Promise<void>> = [];
  const lock = async (): Promise<string | undefined> => {
    const held = await takeLock(plan, valid);
    if (!held.ok) return held.message;
    releases.push(held.release);
    return undefined;
  };
  if (mutating && request.command !== 'watch') {
    const problem = await lock();
    if (problem) return refused([`refused: ${problem}`]);
  }

  try {
    await io.onPlanned?.(plan);
    const systems = await setUpSystems(valid, plan, processEnv);
    if (!systems.ok) return refused([...systems.problems, 'refused: nothing was run.']);
    const beforeRollback = async () => {
      const problem = await lock();
      if (problem) io.notice(`rollback refused: ${problem}\n`);
      else io.notice('a blocking trigger fired: rolling back\n');
      return problem;
    };
    let result: RunResult;
    try {
      result = await runnerFor(request, io, beforeRollback)(plan, {
        kinds: valid.kinds,
        concurrency: request.concurrency ?? 8,
        signal: io.signal ?? new AbortController().signal,
        env: systems.value.env,
        version: readVersion(),
        ...(request.at ? { at: request.at } : {}),
        // Redact the data before a renderer formats or truncates it: a cut secret cannot be matched.
        onEvent: (event) => io.onEvent?.(redactor.redactValue(event)),
        // A secret that reaches a command line through ${nodes.X.outputs} is refused at run time.
        holdsSecret: (text) => redactor.holdsSecret(text),
        ...readBack(request, store, plan.playbook.name),
        operator: operator.value,
        evidence: evidenceAccess(store, plan.playbook.name),
      });
    } finally {
      await systems.value.cleanup();
    }
    return await finishRun(redactor.redactValue(result), request, store, opened, identity, redactor, signKey?.ok ? signKey.value : undefined, processEnv);
  } finally {
    for (const release of releases.reverse()) await release().catch(() => {});
  }
}

async function finishRun(recorded: RunResult, request: SessionRequest, store: EvidenceStore, opened: { valid: ValidPlaybook; planned: PlanOutput }, identity: ReturnType<typeof identifyRun>, redactor: Redactor, signKey: SigningKey | undefined, processEnv: Record<string, string | undefined>): Promise<Ran> {
  const { plan } = opened.planned;
  const redact = (text: string) => redactor.redact(text);
  // Values are redacted field by field before anything renders them; a second pass over the
  // rendered text would only mangle identifiers (and is what once renamed evidence files).
  const evidence = recordEvidence(recorded, store, redactor.redactValue({
    user: identity.user,
    host: identity.host,
    ci: identity.ci,
    commandLine: identity.commandLine,
    ...(identity.gitCommit ? { gitCommit: identity.gitCommit } : {}),
    ...(request.playbookFoundBy ? { playbookSource: { foundBy: request.playbookFoundBy, path: resolve(request.playbookFile) } } : {}),
    edges: plan.nodes.flatMap((n) => n.needs.map((need) => [need, n.id] as [string, string])),
  }), redact, signKey);
  const wantsSources = request.locateNodes || request.sinks?.reportFile?.reporter === 'junit';
  const result = wantsSources ? locateNodes(recorded, plan, opened.valid.doc, processEnv.CI_PROJECT_DIR ?? process.cwd()) : recorded;
  const sinkErrors = await writeSinks(result, evidence.ok ? evidence.path : undefined, request.sinks ?? {}, redact);
  // A verdict that could not be recorded is not a plain pass: the spool keeps the evidence
  // (the verdict stands, as DESIGN says), but a lost file or a missing report makes a pass an error.
  const unrecorded = !evidence.ok || sinkErrors.record.length > 0;
  const exitCode = unrecorded && result.exitCode === EXIT.pass ? EXIT.error : result.exitCode;
  const errors = [...(evidence.ok && evidence.spooled ? [evidence.error] : []), ...(!evidence.ok ? [evidence.error] : []), ...sinkErrors.record, ...sinkErrors.metrics];
  return { ran: true, result, evidence, sinkErrors: errors, exitCode };
}
