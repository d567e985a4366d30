import type { Details, Observed } from '../sdk/types.js';
import type { Command, PlanNode, Role } from '../plan/types.js';

export type NodeStatus = 'pass' | 'fail' | 'error' | 'inconclusive' | 'warn' | 'skipped' | 'dry-run' | 'fired' | 'quiet';

export type Verdict = 'pass' | 'fail' | 'error' | 'inconclusive' | 'interrupted' | 'fired' | 'rolled-back' | 'rollback-failed';

export interface SampleRecord {
  at: string;
  observed: Observed;
  status: 'pass' | 'fail' | 'error';
}

/** One node's outcome: a flat, serialisable record that every reporter renders. */
export interface NodeResult {
  id: string;
  baseId: string;
  kind: string;
  title: string;
  role: Role;
  stage?: string;
  severity: 'blocker' | 'warning';
  status: NodeStatus;
  startedAt?: string;
  durationMs: number;
  attempts: number;
  observed?: Observed;
  expected?: string;
  message: string;
  reasons?: string[];
  outputs?: Record<string, unknown>;
  details?: Details;
  /** The parameters it ran with, resolved (the reporters redact secrets). */
  params: Record<string, unknown>;
  connection?: string;
  samples?: SampleRecord[];
  /** The nodes it waited for (instance ids): the DAG's edges, so readers need not parse a picture. */
  needs?: string[];
  /** Where the node is written in the playbook; only when a report asks for it (JUnit), as finding it costs a positioned parse. */
  source?: { file: string; line: number; column: number };
}

export interface RunResult {
  tool: { name: 'rollout'; version: string };
  playbook: { name: string; file: string; sha256: string };
  env: string;
  command: Command;
  dryRun: boolean;
  partial: boolean;
  at?: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  interrupted: boolean;
  verdict: Verdict;
  exitCode: number;
  nodes: NodeResult[];
}

export type RunEvent =
  | { type: 'node-start'; node: PlanNode }
  | { type: 'node-progress'; node: PlanNode; message: string }
  | { type: 'node-end'; node: PlanNode; result: NodeResult };

/** The fields every result of a node carries, whatever happened to it. */
export function nodeIdentity(node: PlanNode): Pick<NodeResult, 'id' | 'baseId' | 'kind' | 'title' | 'role' | 'stage' | 'severity' | 'needs'> {
  return { id: node.id, baseId: node.baseId, kind: node.kind, title: node.title, role: node.role, ...(node.stage ? { stage: node.stage } : {}), severity: node.severity, ...(node.needs.length ? { needs: node.needs } : {}) };
}
