import type { Section } from '../playbook/walk.js';

export type Command = 'check' | 'promote' | 'rollback' | 'watch' | 'validate';

export type Role = Section;

/** One node instance of the DAG: plain data, printable and serialisable. */
export interface PlanNode {
  /** Instance id: `error-rate`, or `shift[25]` for a matrix instance. */
  id: string;
  /** The id as written in the playbook. */
  baseId: string;
  kind: string;
  title: string;
  role: Role;
  stage?: string;
  /** The stage instance it belongs to: `deploy`, or `traffic[25]` under a stage matrix. */
  stageInstance?: string;
  /** Resolved `with` (secrets are real values here; every sink redacts them). */
  params: Record<string, unknown>;
  expect?: string;
  observe?: string;
  severity: 'blocker' | 'warning';
  timeoutMs?: number;
  retries: number;
  intervalMs: number;
  forMs?: number;
  /** Watch triggers: fire when more than this many evaluations failed. */
  failureLimit?: number;
  /** Watch triggers: end the watch when more than this many evaluations in a row errored. */
  consecutiveErrorLimit?: number;
  needs: string[];
  mutates: boolean;
  connection?: string;
  onEmpty?: 'pass' | 'fail';
  onError?: 'fail';
  onInconclusive?: 'pass' | 'fail';
  ifPassed?: string[];
  /** Why this node will not run (`environment`). */
  skip?: string;
  /** True when params or expect still hold ${nodes...} references for the run to fill in. */
  deferred: boolean;
  /** Node ids referenced through ${nodes.ID...}. */
  refs: string[];
  /** Where the node stands in the playbook, for messages. */
  docPath: Array<string | number>;
}

export interface PlanConnection {
  system: string;
  name: string;
  settings: Record<string, unknown>;
}

/** One instance of a stage, in the order `promote` runs them. */
export interface StageInstance {
  /** `deploy`, or `traffic[25]` under a stage matrix. */
  instance: string;
  stage: string;
  title: string;
  onFailure: 'stop' | 'rollback';
}

export interface Plan {
  playbook: { name: string; file: string; dir: string; sha256: string };
  env: string;
  command: Command;
  dryRun: boolean;
  partial: boolean;
  /** Nodes in a stable topological order. */
  nodes: PlanNode[];
  /** Resolved connections of the systems the planned nodes use. */
  connections: PlanConnection[];
  /** `promote`: the stage instances it runs, in order. */
  stages?: StageInstance[];
}
