import type { z } from 'zod';

/** A single observed value. Numerals observed as text ("50" from `SHOW`) compare as numbers. */
export type Scalar = number | string | boolean;

/** One labelled value of a set: a Prometheus series, a pod, a standby. */
export interface LabelledValue {
  name: string;
  value: Scalar | null;
}

/**
 * What a check observed. `null` and an empty list mean "no data": the core turns them into
 * `error` unless the node says `onEmpty:`. A list is judged element by element.
 */
export type Observed = Scalar | null | LabelledValue[];

/** Base units the core converts `expect` units into (`250ms` → 0.25, `4GB` → 4e9). */
export type Unit = 'seconds' | 'bytes';

/** Free-form facts for the evidence; the core redacts secrets before anything is written. */
export interface Details {
  /** Text output worth keeping (stdout, a response body); truncated by the core. */
  excerpt?: string;
  /** Short lines such as "pod api-1: CrashLoopBackOff (restarts 7)". */
  notes?: string[];
  /** Rows for a table (SQL results, firing alerts). */
  rows?: Array<Record<string, unknown>>;
  /** A compact picture of a window's samples (sparkline, min/max). */
  summary?: string;
  [key: string]: unknown;
}

export interface Observation {
  observed: Observed;
  unit?: Unit;
  /** For list observations: must `all` elements meet `expect` (default) or `any`? */
  quantifier?: 'all' | 'any';
  details?: Details;
  outputs?: Record<string, unknown>;
}

/**
 * Structural verdicts (a rollout finished, an image policy held) take no `expect`.
 * `inconclusive`: the check ran but had too little data to decide (a canary with few points).
 */
export interface Verdict {
  status: 'pass' | 'fail' | 'inconclusive';
  reasons: string[];
  details?: Details;
  outputs?: Record<string, unknown>;
}

/** A failure to evaluate. Returned, never thrown across the module boundary. */
export interface EvaluationError {
  error: string;
  details?: Details;
}

export type CheckResult = Observation | Verdict | EvaluationError;

/** Samples of a time window, for kinds that can read history (one range query). */
export interface WindowResult {
  samples: Array<{ at: Date; observed: Observed }>;
  unit?: Unit;
  quantifier?: 'all' | 'any';
  /** The step between samples; a missing sample inside the window is a gap (`error`). */
  stepMs: number;
  details?: Details;
  /** Why the window holds too little data to judge (traffic below a floor): the node is `inconclusive`. */
  inconclusive?: string;
}

export interface TimeWindow {
  from: Date;
  to: Date;
  stepMs: number;
}

export interface CheckContext {
  /** The node (instance) id, e.g. `error-rate` or `shift[25]`. */
  nodeId: string;
  /** Aborted when this attempt times out or the run is cancelled. */
  signal: AbortSignal;
  /** The bound of this attempt. */
  timeoutMs: number;
  /** `--at` when given, otherwise the wall clock. */
  now(): Date;
  /** Set only when the run was given `--at`. */
  at?: Date;
  /**
   * The instant the current stage's steps began (on the run's clock: `--at` when given), for
   * the stage's steps and verify. Undefined outside a stage: gates, triggers, a stage's own
   * gates (they run before its steps).
   */
  stepsStartedAt?: Date;
  /** The node's `observe:` (or the kind's default). */
  observe?: string;
  /** The playbook's directory: relative paths in params resolve from here. */
  cwd: string;
  /** Environment for child processes (the process env plus anything the core confines). */
  env: Record<string, string | undefined>;
  /**
   * The environment's connection settings for a system (`postgres`, `prometheus`, ...),
   * the one the node chose with `connection:` when the system has several. Values are
   * resolved; secrets are real values here and redacted by the core on the way out.
   */
  connection(system: string): ConnectionInfo | undefined;
  /**
   * One resource per key for the whole run (a pool, an HTTP agent): created on first use,
   * closed by the core when the run ends.
   */
  shared<T>(key: string, create: () => Promise<T> | T, close?: (value: T) => Promise<void> | void): Promise<T>;
  /** Append a line to the node's log (kept as an excerpt in the evidence, redacted). */
  log(line: string): void;
  /** The person running rollout and what they supplied: sign-offs, terminal answers. */
  operator?: OperatorInput;
  /** Read access to earlier evidence files (for kinds that gate on past runs). */
  evidence?: EvidenceAccess;
}

/** What the core knows about the operator of this run; kinds never read stdin themselves. */
export interface OperatorInput {
  /** The OS user running rollout. */
  user: string;
  /** The CI identity (`GitHub Actions org/repo run 123 by alice`), or `none (interactive)`. */
  ci: string;
  /** A value given ahead of time for this node: `--approve NODE=VALUE` or the approvals file. */
  supplied(): { value: string; at?: Date; source: string } | undefined;
  /**
   * Asks on the terminal and returns the trimmed answer, one question at a time across the
   * run. Absent when there is no terminal (CI).
   */
  ask?(question: string): Promise<string>;
}

export interface EvidenceSummary {
  file: string;
  /** The digest verifies and the file still carries its own name. */
  verified: boolean;
  /** Why it does not verify, or `digest ok`. */
  message: string;
  playbook?: string;
  env?: string;
  command?: string;
  verdict?: string;
  partial?: boolean;
  dryRun?: boolean;
  startedAt?: string;
  /** Present when `list` was given trusted keys: what the file's attestation proves. */
  signature?: EvidenceSignature;
}

export interface EvidenceSignature {
  /** A trusted key signed an attestation that names this file as it is now. */
  verified: boolean;
  /** `signed by ci@example.com (SHA256:...)`, or why it does not verify. */
  message: string;
  /** The asked-for principals (`signedBy`) the signing key is allowed for; without `signedBy`, the key's own principals. */
  signedBy: string[];
}

export interface TrustOptions {
  /** An OpenSSH allowed_signers file (absolute path). */
  trustedKeys: string;
  signedBy?: string[];
}

export interface EvidenceAccess {
  /** This run's playbook name. */
  playbook: string;
  /** Evidence files of (playbook, env), newest first, each checked (and its attestation, with `trust`). */
  list(env: string, playbook?: string, trust?: TrustOptions): EvidenceSummary[];
  /**
   * Reads a trusted keys file before `list` relies on it: a message when it cannot be read or
   * trusts no key; `unknown` lists the principals of `signedBy` that no key of it is allowed for.
   */
  readTrust?(trust: TrustOptions): { ok: true; unknown: string[] } | { ok: false; message: string };
}

export interface ConnectionInfo {
  /** `default` for a single connection, otherwise the name (`primary`, `standby`). */
  name: string;
  settings: Record<string, unknown>;
}

export interface ProbeResult {
  ok: boolean;
  message: string;
}

export interface CheckDefinition<P = any> {
  /** `family.name` (or a single word for core kinds such as `exec`). */
  kind: string;
  summary: string;
  /** Longer Markdown help for `rollout checks KIND`. */
  description?: string;
  /** zod schema of `with:`: validation, TypeScript types, JSON Schema and docs. */
  params: z.ZodType<P>;
  /**
   * What `expect` compares with: a number, string, boolean or version, a list of labelled
   * values, or `verdict` for structural kinds that take no `expect`.
   */
  observes: 'number' | 'string' | 'boolean' | 'version' | 'list' | 'verdict' | 'any';
  /** Choices for the node's `observe:` field, e.g. `['status', 'json:<path>', 'header:<name>']`. */
  observeChoices?: { default: string; patterns: RegExp[]; help: string[] };
  /**
   * Waits for a person (an approval): takes no default timeout or retries — only what the
   * node states.
   */
  interactive?: boolean;
  /** The expectation used when the node states none (`== 0` for an exit code). */
  defaultExpect?: string | ((observe: string | undefined) => string | undefined);
  /** The unit of a numeric observation, so `expect: "<= 250ms"` converts. */
  unit?: Unit;
  /** Whether running this changes a system. Must be declared. */
  mutates: boolean | ((params: P) => boolean);
  /** When `mutates` depends on params: the condition in words, for docs (`when method is not GET/HEAD`). */
  mutatesWhen?: string;
  /** The environment system this kind connects to (`postgres`), if any. */
  system?: string;
  /** Param fields that become a process argv: `${secret:...}` is refused there (visible in `ps`). */
  argvFields?: string[];
  /** Names of the outputs it produces, for docs and `${nodes.ID.outputs.NAME}` checks. */
  outputs?: Record<string, string>;
  /** Example YAML nodes for the docs. */
  examples?: string[];
  run(params: P, ctx: CheckContext): Promise<CheckResult>;
  /** One range query over a window instead of sampling every `interval` (Prometheus). */
  runWindow?(params: P, ctx: CheckContext, window: TimeWindow): Promise<WindowResult | EvaluationError>;
  /**
   * For `rollback --dry-run`: is this step runnable (commands exist and are executable,
   * the system answers) — without changing anything.
   */
  preflight?(params: P, ctx: CheckContext): Promise<ProbeResult>;
  /**
   * Offline checks at `rollout validate` beyond the schema (PromQL syntax). `path` is
   * relative to `with` (e.g. `['query']`); the core adds file:line:column.
   */
  validate?(params: P): Array<{ path: Array<string | number>; message: string; hint?: string }>;
}

export function isError(result: CheckResult | WindowResult | EvaluationError): result is EvaluationError {
  return 'error' in result;
}

export function isVerdict(result: CheckResult): result is Verdict {
  return 'status' in result;
}

export interface SystemDefinition {
  /** The key under an environment: `postgres`, `prometheus`, `kubernetes`. */
  name: string;
  summary: string;
  /** Schema of one connection's settings. */
  settings: z.ZodType;
  /**
   * Before anything runs: a message refuses the run with exit 2 (a kube context that does
   * not exist must never fall back to the current one).
   */
  guard?(settings: Record<string, unknown>, info: SystemInfo): Promise<string | undefined>;
  /**
   * Environment for every child process of a run in this environment (a KUBECONFIG that
   * holds only the environment's context). `cleanup` runs when the run ends.
   */
  childEnv?(settings: Record<string, unknown>, info: SystemInfo): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
  /**
   * A lock held in the system itself for a mutating run (a Kubernetes Lease), so two runs
   * from different machines cannot interleave. `name` identifies (playbook, env).
   */
  lock?(settings: Record<string, unknown>, info: SystemInfo, request: LockRequest): Promise<LockResult>;
}

/** What a family writes in `defineSystem`: hooks take the settings its schema parsed. */
export interface SystemSpec<S> {
  name: string;
  summary: string;
  /** Said when a node needs the system and the environment has none: `add postgres: { url: ... }`. */
  missingHint?: string;
  guard?(settings: S, info: SystemInfo): Promise<string | undefined>;
  childEnv?(settings: S, info: SystemInfo): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
  lock?(settings: S, info: SystemInfo, request: LockRequest): Promise<LockResult>;
}

/** A system as the core sees it, plus the node's connection with its settings parsed, for the family's kinds. */
export interface TypedSystem<S> extends SystemDefinition {
  connectionOf(ctx: CheckContext): { name: string; settings: S } | EvaluationError;
}

export interface LockRequest {
  /** `rollout-<playbook>-<env>` */
  name: string;
  /** Who holds it: user@host pid N. */
  holder: string;
  /** The command line, CI identity and start time, for whoever is refused. */
  description: string;
}

export type LockResult = { ok: true; release(): Promise<void> } | { ok: false; message: string };

export interface SystemInfo {
  cwd: string;
  env: Record<string, string | undefined>;
  /** A private temporary directory for this run. */
  tmpDir: string;
}

/** Where kinds come from: one lazy loader per kind and per system, in one place. */
export interface Registry {
  kinds: Record<string, () => Promise<CheckDefinition>>;
  systems: Record<string, () => Promise<SystemDefinition>>;
}
