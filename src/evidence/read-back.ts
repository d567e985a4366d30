import type { EvidenceAccess, EvidenceSummary } from '../sdk/types.js';
import type { NodeResult } from '../run/types.js';
import { readTrust, signaturesOf } from './attest/access.js';
import { readChain, type StoredEvidence } from './chain.js';
import type { EvidenceReport } from './check-file.js';
import { fileStore } from './file-store.js';
import type { EvidenceStore } from './store.js';

/** A store, or an evidence directory (`file:DIR`). */
export type StoreOrDir = EvidenceStore | string;
const storeOf = (where: StoreOrDir): EvidenceStore => (typeof where === 'string' ? fileStore(where) : where);

/**
 * Evidence files of (playbook, env), newest first: the chain from its last-written file back,
 * then files that verify but are off the chain, then those that do not verify, each newest
 * name first. `verified` is the file's own digest and name (the chain is `verify`'s to judge).
 */
export function readEvidence(where: StoreOrDir, env: string, playbook: string): Array<EvidenceSummary & { report?: EvidenceReport; stored: StoredEvidence }> {
  const store = storeOf(where);
  const chain = readChain(store, env, playbook);
  const newestNameFirst = <T extends { name: string }>(files: T[]) => [...files].sort((a, b) => b.name.localeCompare(a.name));
  return [...[...chain.ordered].reverse(), ...newestNameFirst(chain.offChain), ...newestNameFirst(chain.unreadable)].map((stored) => {
    const { name, check } = stored;
    const report = check.report;
    return {
      stored,
      file: store.locate(env, name),
      verified: check.ok,
      message: check.message,
      ...(report
        ? { report, playbook: report.playbook.name, env: report.env, command: report.command, verdict: report.verdict, partial: report.partial, dryRun: report.dryRun, startedAt: report.startedAt }
        : {}),
    };
  });
}

export function evidenceAccess(where: StoreOrDir, playbook: string): EvidenceAccess {
  const store = storeOf(where);
  return {
    playbook,
    list: (env, name = playbook, trust) => {
      const files = readEvidence(store, env, name);
      const signatures = trust && signaturesOf(store, env, files.map((f) => f.stored), trust);
      return files.map(({ report: _report, stored: _stored, ...summary }, i) => (signatures ? { ...summary, signature: signatures[i]! } : summary));
    },
    readTrust,
  };
}

const baseIdOf = (id: string) => id.replace(/\[.*$/, '');

/**
 * What earlier promotes of (playbook, env) recorded, for rollback and watch: the newest
 * verified, non-dry-run promote in which a node passed gives its values; the newest in which
 * it ran says whether it was done (for `ifPassed`).
 */
export function promoteRecord(where: StoreOrDir, env: string, playbook: string) {
  let cache: EvidenceReport[] | undefined;
  const promotes = () =>
    (cache ??= readEvidence(where, env, playbook)
      .filter((e) => e.verified && e.report && e.report.command === 'promote' && !e.report.dryRun)
      .map((e) => ({ ...e.report!, evidence: e.file })));
  const nodesOf = (report: EvidenceReport, id: string) => report.nodes.filter((n) => n.id === id || baseIdOf(n.id) === id);
  return {
    external(id: string): NodeResult | undefined {
      for (const report of promotes()) {
        const passed = nodesOf(report, id).filter((n) => n.status === 'pass');
        const node = passed[passed.length - 1];
        if (!node) continue;
        return {
          id: node.id,
          baseId: baseIdOf(node.id),
          kind: node.kind,
          title: String(node.title ?? node.id),
          role: (node.role as NodeResult['role']) ?? 'step',
          severity: 'blocker',
          status: 'pass',
          durationMs: 0,
          attempts: 1,
          ...(node.observed !== null && node.observed !== undefined ? { observed: node.observed as NodeResult['observed'] } : {}),
          message: `from ${report.evidence}`,
          outputs: node.outputs ?? {},
          params: {},
        };
      }
      return undefined;
    },
    done(id: string): boolean {
      for (const report of promotes()) {
        const ran = nodesOf(report, id).filter((n) => n.status !== 'skipped');
        if (ran.length) return ran.some((n) => n.status === 'pass');
      }
      return false;
    },
  };
}
