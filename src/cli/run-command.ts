import { extname } from 'node:path';
import { githubAnnotations, isGithubActions } from '../session/ci-sink.js';
import type { Command, Plan } from '../plan/types.js';
import { formatDuration } from '../sdk/duration.js';
import type { RunEvent } from '../run/types.js';
import { createPlainRenderer } from '../report/plain.js';
import { reporters } from '../report/reporters.js';
import { renderRollbackSteps } from '../report/rollback-steps.js';
import { renderWatchRound } from '../report/watch-round.js';
import { parseInstant, renderDocument, runSession, type DocumentReporter, type SessionRequest } from '../session/index.js';
import { askTerminal, hasTerminal, terminalConfirmation } from './confirm.js';
import { namedEvidenceStore, type CommonOptions } from './options.js';
import { err, installRedaction, out, redactor } from './output.js';
import { withInterrupts } from './signals.js';

const DOCUMENT_BY_EXTENSION: Record<string, DocumentReporter> = { '.json': 'json', '.xml': 'junit', '.md': 'markdown' };

export interface RunCommandOptions extends CommonOptions {
  stage?: string;
  from?: string;
  duration?: string;
  interval?: string;
  rollback?: boolean;
  signKey?: string;
}

type Reporter = NonNullable<CommonOptions['reporter']>;

/** Flags → a session request; a problem is a line to print (exit 2, nothing run). */
function toRequest(command: Command, opts: RunCommandOptions, watch?: SessionRequest['watch']): { ok: true; request: SessionRequest; reporter: Reporter } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  let reporter = opts.reporter;
  if (opts.output && !reporter) {
    reporter = DOCUMENT_BY_EXTENSION[extname(opts.output).toLowerCase()];
    if (!reporter) problems.push(`--output ${opts.output}: say which report to write with --reporter json|junit|markdown (or name the file .json, .xml or .md)`);
  }
  if (opts.output && (reporter === 'tty' || reporter === 'plain')) problems.push(`--output ${opts.output}: --reporter ${reporter} prints to the terminal; a file takes json, junit or markdown`);
  const at = opts.at !== undefined ? parseInstant(opts.at) : undefined;
  if (at && !at.ok) problems.push(at.message);
  const concurrency = Number(opts.concurrency ?? '8');
  if (problems.length) return { ok: false, problems };
  const chosen: Reporter = reporter ?? (process.stdout.isTTY && !watch ? 'tty' : 'plain');
  const documentReporter = chosen === 'json' || chosen === 'junit' || chosen === 'markdown' ? chosen : undefined;
  return {
    ok: true,
    reporter: chosen,
    request: {
      playbookFile: opts.playbook,
      command,
      env: opts.env!,
      ...(opts.only ? { only: opts.only.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
      concurrency,
      ...(at?.ok ? { at: at.at } : {}),
      dryRun: opts.dryRun ?? false,
      ...(opts.stage ? { stage: opts.stage } : {}),
      ...(opts.from ? { fromStage: opts.from } : {}),
      ...(namedEvidenceStore(opts) !== undefined ? { evidenceStore: namedEvidenceStore(opts)! } : {}),
      ...signKeyOf(opts),
      ...(opts.approve ? { approve: opts.approve } : {}),
      ...(opts.approvals ? { approvalsFile: opts.approvals } : {}),
      commandLine: ['rollout', ...process.argv.slice(2)].join(' '),
      playbookFoundBy: opts.playbookFoundBy ?? '-p',
      ...(watch ? { watch } : {}),
      ...(chosen === 'junit' ? { locateNodes: true } : {}),
      sinks: {
        ...(opts.output && documentReporter ? { reportFile: { path: opts.output, reporter: documentReporter } } : {}),
        ...(opts.metricsFile ? { metricsFile: opts.metricsFile } : {}),
        ...(opts.pushgateway ? { pushgateway: opts.pushgateway } : {}),
      },
    },
  };
}

/** `--sign-key`, else `ROLLOUT_SIGN_KEY` (an empty variable is no key). */
function signKeyOf(opts: RunCommandOptions): { signKeyFile?: string } {
  const file = opts.signKey ?? process.env.ROLLOUT_SIGN_KEY;
  return file ? { signKeyFile: file } : {};
}

function refuse(problems: string[]): number {
  if (isGithubActions()) for (const line of githubAnnotations(problems)) out(`${line}\n`);
  err(`${problems.join('\n')}\n\n${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was run.\n`);
  return 2;
}

/** check, promote, rollback, watch: flags in, the session called, text out. */
export async function runCommand(command: Command, opts: RunCommandOptions, watch?: SessionRequest['watch']): Promise<number> {
  const converted = toRequest(command, opts, watch);
  if (!converted.ok) return refuse(converted.problems);
  const { request, reporter } = converted;
  const documentToStdout = (reporter === 'json' || reporter === 'junit' || reporter === 'markdown') && !opts.output;
  // A document on stdout must stay parseable: the live lines go to stderr then.
  const print = documentToStdout ? err : out;
  let renderer: { onEvent(event: RunEvent): void; finish?(): Promise<void> } | undefined;
  const onPlanned = async (plan: Plan) => {
    if (watch) print(`watching ${plan.nodes.filter((n) => n.role === 'trigger').length} trigger(s) of ${plan.playbook.name} in ${plan.env} for ${formatDuration(watch.durationMs)}, every ${formatDuration(watch.intervalMs)}${watch.rollback ? '; a blocking trigger that fires starts the rollback' : ''}\n`);
    else if (reporter === 'tty') renderer = await (await import('../report/tty.js')).createTtyRenderer(plan, { color: opts.color !== false && !process.env.NO_COLOR });
    else if (!documentToStdout) renderer = createPlainRenderer(out);
  };

  const outcome = await withInterrupts((signal) =>
    runSession(request, {
      signal,
      notice: (text) => err(text.endsWith('\n') ? text : `${text}\n`),
      confirm: terminalConfirmation(opts.yes),
      ...(hasTerminal() ? { ask: askTerminal } : {}),
      onSecrets: (secrets) => {
        for (const secret of secrets) redactor.add(secret);
        installRedaction();
      },
      onPlanned,
      onEvent: (event: RunEvent) => renderer?.onEvent(event),
      onWatchRound: (round) => print(renderWatchRound(round)),
    }),
  );
  await renderer?.finish?.();
  if (!outcome.ran) return refuse(outcome.problems);
  const { result, evidence } = outcome;
  const evidencePath = evidence.ok ? evidence.path : undefined;
  if (documentToStdout) out(renderDocument(reporter as DocumentReporter, result, evidencePath));
  else {
    if (command === 'rollback') out(renderRollbackSteps(result));
    out(reporters.plain(result, { evidence: evidencePath ?? '(not written — see the error above)' }));
  }
  for (const line of outcome.sinkErrors) err(`error: ${line}\n`);
  return outcome.exitCode;
}
