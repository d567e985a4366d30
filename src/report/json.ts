import type { RunResult } from '../run/types.js';
import { keepNonFinite } from '../secrets/redactor.js';

export interface ReportMeta {
  evidence?: string;
}

/** The JSON report: the run record, plus where its evidence is. */
export function toReport(result: RunResult, meta: ReportMeta = {}) {
  return {
    verdict: result.verdict,
    exitCode: result.exitCode,
    partial: result.partial,
    dryRun: result.dryRun,
    evidence: meta.evidence ?? null,
    playbook: result.playbook,
    env: result.env,
    command: result.command,
    ...(result.at ? { at: result.at } : {}),
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    durationMs: result.durationMs,
    tool: result.tool,
    nodes: result.nodes.map((n) => ({
      id: n.id,
      kind: n.kind,
      title: n.title,
      role: n.role,
      ...(n.stage ? { stage: n.stage } : {}),
      severity: n.severity,
      needs: n.needs ?? [],
      status: n.status,
      durationMs: n.durationMs,
      attempts: n.attempts,
      observed: n.observed ?? null,
      expected: n.expected ?? null,
      message: n.message,
      ...(n.reasons ? { reasons: n.reasons } : {}),
      outputs: n.outputs ?? {},
      params: n.params,
      ...(n.samples ? { samples: n.samples } : {}),
      ...(n.startedAt ? { startedAt: n.startedAt } : {}),
    })),
  };
}

export function renderJson(result: RunResult, meta: ReportMeta = {}): string {
  return `${JSON.stringify(toReport(result, meta), keepNonFinite, 2)}\n`;
}
