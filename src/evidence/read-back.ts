import { join } from 'node:path';
import type { EvidenceAccess, EvidenceSummary } from '../sdk/types.js';
import type { NodeResult } from '../run/types.js';
import { verifyEvidenceFile, type EvidenceReport } from './verify.js';
import { listEvidence } from './write.js';

/** Evidence files of (playbook, env), newest first, each verified. */
export function readEvidence(dir: string, env: string, playbook: string): Array<EvidenceSummary & { report?: EvidenceReport }> {
  const envDir = join(dir, env);
  return listEvidence(envDir, playbook)
    .reverse()
    .map((name) => {
      const file = join(envDir, name);
      const check = verifyEvidenceFile(file);
      const report = check.report;
      return {
        file,
        verified: check.ok,
        message: check.message,
        ...(report
          ? { report, playbook: report.playbook.name, env: report.env, command: report.command, verdict: report.verdict, partial: report.partial, dryRun: report.dryRun, startedAt: report.startedAt }
          : {}),
      };
    });
}

export function evidenceAccess(dir: string, playbook: string): EvidenceAccess {
  return {
    playbook,
    list: (env, name = playbook) => readEvidence(dir, env, name).map(({ report: _report, ...summary }) => summary),
  };
}

const baseIdOf = (id: string) => id.replace(/\[.*$/, '');

/**
 * What earlier promotes of (playbook, env) recorded, for rollback and watch: the newest
 * verified, non-dry-run promote in which a node passed gives its values; the newest in which
 * it ran says whether it was done (for `ifPassed`).
 */
export function promoteRecord(dir: string, env: string, playbook: string) {
  let cache: EvidenceReport[] | undefined;
  const promotes = () =>
    (cache ??= readEvidence(dir, env, playbook)
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
