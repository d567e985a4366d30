import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plan, PlanNode } from '../plan/types.js';
import type { OperatorInput } from '../sdk/types.js';
import { ciIdentity, currentUser } from '../evidence/identity.js';
import { askTerminal, hasTerminal } from './confirm.js';

interface Supplied {
  value: string;
  at?: Date;
  source: string;
}

/**
 * What the operator gave ahead of time — `--approve ID=NAME` (now) and an approvals file
 * (`ID: NAME` or `ID: { name, at }`) — plus the terminal, when there is one.
 */
export function buildOperator(plan: Plan, approve: string[] = [], approvalsFile?: string): { ok: true; value: (node: PlanNode) => OperatorInput } | { ok: false; errors: string[] } {
  const supplied = new Map<string, Supplied>();
  const errors: string[] = [];
  const ids = new Set(plan.nodes.flatMap((n) => [n.id, n.baseId]));
  if (approvalsFile) {
    try {
      const text = readFileSync(approvalsFile, 'utf8');
      // Loaded here, not at start-up: most runs have no approvals file (start-up targets).
      const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
      const data = parse(text) as unknown;
      const modified = statSync(approvalsFile).mtime;
      if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('expected a mapping of node id → name or { name, at }');
      for (const [id, entry] of Object.entries(data as Record<string, unknown>)) {
        const name = typeof entry === 'string' ? entry : entry && typeof entry === 'object' ? (entry as { name?: unknown }).name : undefined;
        const atText = entry && typeof entry === 'object' ? (entry as { at?: unknown }).at : undefined;
        const at = atText === undefined ? modified : new Date(String(atText instanceof Date ? atText.toISOString() : atText));
        if (typeof name !== 'string' || !name.trim()) errors.push(`${approvalsFile}: ${id}: expected a name, or { name: "...", at: "2026-01-10T09:00:00Z" }`);
        else if (Number.isNaN(at.getTime())) errors.push(`${approvalsFile}: ${id}: at is not a time (ISO 8601)`);
        else supplied.set(id, { value: name.trim(), at, source: `approvals file ${approvalsFile}` });
      }
    } catch (error) {
      errors.push(`--approvals ${approvalsFile}: ${(error as Error).message}`);
    }
  }
  for (const pair of approve) {
    const match = /^([^=]+)=(.*)$/.exec(pair);
    if (!match || !match[2]!.trim()) errors.push(`--approve ${pair}: expected NODE-ID=NAME, e.g. --approve signoff-dba="Dana Lee"`);
    else supplied.set(match[1]!.trim(), { value: match[2]!.trim(), at: new Date(), source: '--approve' });
  }
  for (const id of supplied.keys()) if (!ids.has(id)) errors.push(`an approval names "${id}", which this run does not plan (nodes: ${[...new Set(plan.nodes.map((n) => n.baseId))].join(', ')})`);
  if (errors.length) return { ok: false, errors };
  const user = currentUser();
  const ci = ciIdentity();
  const terminal = hasTerminal();
  return {
    ok: true,
    value: (node) => ({
      user,
      ci,
      supplied: () => supplied.get(node.id) ?? supplied.get(node.baseId),
      ...(terminal ? { ask: askTerminal } : {}),
    }),
  };
}
