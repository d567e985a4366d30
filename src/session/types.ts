import type { Command, Plan } from '../plan/types.js';
import type { RunEvent, RunResult } from '../run/types.js';
import type { WatchRound } from '../run/watch.js';

/** One run of (playbook, env, command), as the CLI or the HTTP edge asks for it. */
export interface SessionRequest {
  playbookFile: string;
  command: Command;
  env: string;
  only?: string[];
  concurrency?: number;
  /** `--at`, already parsed. */
  at?: Date;
  dryRun?: boolean;
  stage?: string;
  fromStage?: string;
  /**
   * The evidence store the caller named (`--evidence-store URL`, or `--evidence-dir DIR` as
   * `file:DIR`); absent: ROLLOUT_EVIDENCE_STORE, the environment's `evidenceStore:`, `file:./evidence`.
   */
  evidenceStore?: string;
  /** `--sign-key`: an OpenSSH ed25519 private key that signs an attestation beside the evidence. */
  signKeyFile?: string;
  /** `--approve ID=NAME` entries and an approvals file. */
  approve?: string[];
  approvalsFile?: string;
  /** What started the run, for the evidence ("rollout check --env staging", "serve: POST /v1/check by ci"). */
  commandLine: string;
  /** How the CLI found the playbook (-p, or discovery), for the evidence; absent when a caller named it (serve). */
  playbookFoundBy?: '-p' | 'ROLLOUT_PLAYBOOK' | 'current folder' | 'parent folder' | 'default';
  processEnv?: Record<string, string | undefined>;
  /** `watch` for a while; absent on a `watch` request: the triggers evaluated once, now. */
  watch?: { durationMs: number; intervalMs: number; rollback: boolean };
  /** Served runs never change anything: a plan with a mutating node becomes a dry run. */
  neverMutate?: boolean;
  sinks?: SinkRequest;
  /** The report shown names each node's playbook file:line (JUnit); costs a positioned parse. */
  locateNodes?: boolean;
}

export interface SinkRequest {
  /** A report document written to a file (`--output`). */
  reportFile?: { path: string; reporter: DocumentReporter };
  metricsFile?: string;
  pushgateway?: string;
}

export type DocumentReporter = 'json' | 'junit' | 'markdown';

/** What the caller lends the session: how to talk to the operator, and the live view. */
export interface SessionIO {
  /** Called with redacted events, for a live task list. */
  onEvent?(event: RunEvent): void;
  onWatchRound?(round: WatchRound): void;
  /** Called once the plan is known, before anything runs (a live view sets itself up). */
  onPlanned?(plan: Plan): Promise<void> | void;
  /** Messages for the operator (warnings, loud errors): stderr on the CLI, logs in serve. */
  notice(text: string): void;
  /** Confirmation for a mutating run; undefined: no way to confirm (refused unless `yes`). */
  confirm?(env: string, action: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Asks the operator a question on a terminal (approvals); absent: nobody to ask. */
  ask?(question: string): Promise<string>;
  /** Ctrl-C, SIGTERM, SIGHUP — or a request deadline in serve. */
  signal?: AbortSignal;
  /** Called with every secret as soon as it is known, so the caller's own sinks mask it too. */
  onSecrets?(secrets: string[]): void;
}

/** Nothing ran: invalid input or a refusal (exit 2). */
export interface Refused {
  ran: false;
  exitCode: 2;
  /** Lines to show, each complete (file:line:col for playbook problems). */
  problems: string[];
}

export interface Ran {
  ran: true;
  result: RunResult;
  /** Where the evidence went, or why it could not be written. */
  evidence: EvidenceOutcome;
  /** Sinks that failed after the verdict (report file, metrics): each a message. */
  sinkErrors: string[];
  /** The run's exit code, adjusted when the verdict could not be recorded. */
  exitCode: number;
}

export type EvidenceOutcome = { ok: true; path: string; spooled?: false } | { ok: true; path: string; spooled: true; error: string } | { ok: false; error: string };

export type SessionOutcome = Refused | Ran;
