import { orderChain, readStored, type StoredEvidence } from '../evidence/chain.js';
import { readReport, type EvidenceReport } from '../evidence/check-file.js';
import { DIGEST_PREFIX } from '../evidence/render.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { TrustedKeys } from '../evidence/attest/allowed-signers.js';
import { attestationName } from '../evidence/attest/attestation.js';
import { checkStoredAttestation } from '../evidence/attest/verify-attestations.js';

/** Where a run's file stands: on its chain, verified but off it, or not to be trusted. */
export type ChainState = 'chained' | 'off-chain' | 'tampered';

/**
 * What the run's signed attestation (its store companion) proves. `present`: there is one,
 * but no trusted keys were given to check it with — never shown as verified.
 */
export type AttestationState = 'verified' | 'invalid' | 'present' | 'absent';

export interface SiteRun {
  name: string;
  location: string;
  env: string;
  playbook: string;
  state: ChainState;
  stateMessage: string;
  /** What the file says; for a tampered file, only what could still be parsed, untrusted. */
  report?: EvidenceReport;
  /** needs → node, drawn from the file's DAG. */
  edges: Array<[string, string]>;
  attestation: { state: AttestationState; message: string };
}

export interface CollectOptions {
  /** `--trusted-keys`: without them an attestation can only be `present`. */
  trustedKeys?: TrustedKeys;
  now?: Date;
}

export interface SiteHistory {
  env: string;
  playbook: string;
  /** Oldest first: the chain's order, then files off it and tampered ones by name (start time). */
  runs: SiteRun[];
}

/**
 * Every (playbook, env) history of a store, each file checked: only through the store's calls,
 * so a `file:` and a git store read the same way.
 */
export function collectHistories(store: EvidenceStore, options: CollectOptions = {}): SiteHistory[] {
  const histories: SiteHistory[] = [];
  for (const env of [...store.environments()].sort()) {
    const names = store.names(env).filter((n) => n.endsWith('.md'));
    const groups = new Map<string, { good: StoredEvidence[]; bad: SiteRun[] }>();
    const group = (playbook: string) => groups.get(playbook) ?? groups.set(playbook, { good: [], bad: [] }).get(playbook)!;
    const texts = new Map<string, string>();
    for (const name of names) {
      const text = store.read(env, name)?.toString('utf8') ?? '';
      texts.set(name, text);
      const file = readStored(store, env, name);
      if (file.check.ok && file.check.report) {
        group(file.check.report.playbook.name).good.push(file);
        continue;
      }
      const untrusted = readReport(bodyOf(text));
      const playbook = untrusted?.playbook?.name ?? playbookFromName(name);
      if (!playbook) continue;
      group(playbook).bad.push({ name, location: store.locate(env, name), env, playbook, state: 'tampered', stateMessage: file.check.message, ...(untrusted ? { report: untrusted } : {}), edges: untrusted ? readEdges(text, untrusted) : [], attestation: attestationOf(store, env, file, options) });
    }
    for (const [playbook, { good, bad }] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const chain = orderChain(good, new Set(names));
      const toRun = (file: StoredEvidence, state: ChainState, stateMessage: string): SiteRun => ({
        name: file.name, location: store.locate(env, file.name), env, playbook, state, stateMessage, report: file.check.report!, edges: readEdges(texts.get(file.name) ?? '', file.check.report!), attestation: attestationOf(store, env, file, options),
      });
      const chained = chain.ordered.map((f) => toRun(f, 'chained', 'digest ok, on the chain'));
      const others = [...chain.offChain.map((f) => toRun(f, 'off-chain', f.message)), ...bad].sort((a, b) => a.name.localeCompare(b.name));
      histories.push({ env, playbook, runs: mergeByName(chained, others) });
    }
  }
  return histories;
}

/** Fail closed: only a signature checked against a trusted key, over the file as it is now, is `verified`. */
function attestationOf(store: EvidenceStore, env: string, file: StoredEvidence, options: CollectOptions): SiteRun['attestation'] {
  const name = attestationName(file.name);
  if (!store.read(env, name)) return { state: 'absent', message: `no attestation (${name})` };
  if (!options.trustedKeys) return { state: 'present', message: `${name} is present but was not checked: no trusted keys given (--trusted-keys)` };
  const checked = checkStoredAttestation(store, env, file, options.trustedKeys, options.now ?? new Date());
  return checked.ok ? { state: 'verified', message: checked.message } : { state: 'invalid', message: checked.message };
}

/** The chain keeps its own order; a file off it goes before the first chained file named after it. */
function mergeByName(chained: SiteRun[], others: SiteRun[]): SiteRun[] {
  const runs: SiteRun[] = [];
  let i = 0;
  for (const run of chained) {
    while (i < others.length && others[i]!.name.localeCompare(run.name) < 0) runs.push(others[i++]!);
    runs.push(run);
  }
  return [...runs, ...others.slice(i)];
}

function bodyOf(text: string): string {
  const at = text.lastIndexOf(DIGEST_PREFIX);
  return at < 0 ? text : text.slice(0, at);
}

function playbookFromName(name: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}T[\d.-]+Z-(.+?)-(check|promote|rollback|watch)(-dry-run)?(-partial)?(-\d+)?\.md$/.exec(name)?.[1];
}

/**
 * The DAG's edges: each node's `needs` in the JSON report. Files written before the report
 * carried `needs` have them only in the Mermaid block, where box `nI` is the report's node I
 * (both are written in the run's node order), so no label has to be parsed.
 */
export function readEdges(text: string, report: EvidenceReport): Array<[string, string]> {
  const nodes = report.nodes ?? [];
  if (nodes.length && nodes.every((n) => Array.isArray(n.needs))) {
    return nodes.flatMap((n) => (n.needs as unknown[]).filter((need): need is string => typeof need === 'string').map((need) => [need, n.id] as [string, string]));
  }
  const start = text.indexOf('\n```mermaid\n');
  if (start < 0) return [];
  const block = text.slice(start, text.indexOf('\n```\n', start + 12));
  const edges: Array<[string, string]> = [];
  for (const match of block.matchAll(/^ {2}n(\d+) --> n(\d+)$/gm)) {
    const from = nodes[Number(match[1])]?.id;
    const to = nodes[Number(match[2])]?.id;
    if (from && to) edges.push([from, to]);
  }
  return edges;
}
