import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plan, PlanNode } from '../plan/types.js';
import type { OperatorInput } from '../sdk/types.js';
import type { RunIdentity } from './identity.js';

interface Supplied {
  value: string;
  at?: Date;
  source: string;
}

export type OperatorBuilt = { ok: true; value: (node: PlanNode) => OperatorInput; warnings: string[] } | { ok: false; problems: string[] };

function readApprovalsFile(file: string, supplied: Map<string, Supplied>, problems: string[]): void {
  try {
    const text = readFileSync(file, 'utf8');
    // Loaded here, not at start-up: most runs have no approvals file (start-up targets).
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    const data = parse(text) as unknown;
    const modified = statSync(file).mtime;
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('expected a mapping of node id → name or { name, at }');
    for (const [id, entry] of Object.entries(data as Record<string, unknown>)) {
      const name = typeof entry === 'string' ? entry : entry && typeof entry === 'object' ? (entry as { name?: unknown }).name : undefined;
      const atText = entry && typeof entry === 'object' ? (entry as { at?: unknown }).at : undefined;
      const at = atText === undefined ? modified : new Date(String(atText instanceof Date ? atText.toISOString() : atText));
      if (typeof name !== 'string' || !name.trim()) problems.push(`${file}: ${id}: expected a name, or { name: "...", at: "2026-01-10T09:00:00Z" }`);
      else if (Number.isNaN(at.getTime())) problems.push(`${file}: ${id}: at is not a time (ISO 8601)`);
      else supplied.set(id, { value: name.trim(), at, source: `approvals file ${file}` });
    }
  } catch (error) {
    problems.push(`--approvals ${file}: ${(error as Error).message}`);
  }
}

/**
 * What the operator gave ahead of time — `--approve ID=NAME` (now) and an approvals file
 * (`ID: NAME` or `ID: { name, at }`) — plus a terminal to ask on, when there is one.
 * A sign-off for a node this run does not plan is refused as a typo — unless the run is
 * partial (`--only`), where one approvals file serves many selections: then it is a warning.
 */
export function buildOperator(plan: Plan, identity: RunIdentity, input: { approve?: string[]; approvalsFile?: string; ask?: (question: string) => Promise<string> }): OperatorBuilt {
  const supplied = new Map<string, Supplied>();
  const problems: string[] = [];
  if (input.approvalsFile) readApprovalsFile(input.approvalsFile, supplied, problems);
  for (const pair of input.approve ?? []) {
    const match = /^([^=]+)=(.*)$/.exec(pair);
    if (!match || !match[2]!.trim()) problems.push(`--approve ${pair}: expected NODE-ID=NAME, e.g. --approve signoff-dba="Dana Lee"`);
    else supplied.set(match[1]!.trim(), { value: match[2]!.trim(), at: new Date(), source: '--approve' });
  }
  const ids = new Set(plan.nodes.flatMap((n) => [n.id, n.baseId]));
  const unplanned = [...supplied.keys()].filter((id) => !ids.has(id));
  const warnings: string[] = [];
  for (const id of unplanned) {
    const text = `an approval names "${id}", which this run does not plan (nodes: ${[...new Set(plan.nodes.map((n) => n.baseId))].join(', ')})`;
    if (plan.partial) warnings.push(`warning: ${text}; ignored (the run is partial)`);
    else problems.push(text);
  }
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    warnings,
    value: (node) => ({
      user: identity.user,
      ci: identity.ci,
      supplied: () => supplied.get(node.id) ?? supplied.get(node.baseId),
      ...(input.ask ? { ask: input.ask } : {}),
    }),
  };
}
