import { createHash } from 'node:crypto';
import { DIGEST_PREFIX } from './render.js';

export interface FileCheck {
  ok: boolean;
  message: string;
  /** What the file says about itself, when it parses. */
  report?: EvidenceReport;
}

export interface EvidenceReport {
  verdict: string;
  exitCode: number;
  partial: boolean;
  dryRun: boolean;
  evidence: string;
  playbook: { name: string; file: string; sha256: string };
  env: string;
  command: string;
  startedAt: string;
  previous: { fileName: string; sha256: string } | null;
  nodes: Array<{ id: string; kind: string; status: string; observed: unknown; outputs: Record<string, unknown>; [key: string]: unknown }>;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Checks one file's digest and that it still carries its own name. */
export function checkEvidenceText(text: string, name: string): FileCheck {
  const at = text.lastIndexOf(DIGEST_PREFIX);
  if (at < 0) return { ok: false, message: 'no digest line: not rollout evidence, or cut short' };
  const body = text.slice(0, at);
  const match = /^<!-- rollout-digest sha256:([0-9a-f]{64}) -->\n?$/.exec(text.slice(at));
  if (!match) return { ok: false, message: 'the digest line is damaged, or text follows it' };
  if (sha256(body) !== match[1]) return { ok: false, message: 'digest mismatch: the file was changed after it was written' };
  const report = readReport(body);
  if (!report) return { ok: false, message: 'the JSON report block is missing or unreadable' };
  if (report.evidence !== name) return { ok: false, message: `the file was renamed: it was written as ${report.evidence}` };
  return { ok: true, message: 'digest ok', report };
}

export function readReport(body: string): EvidenceReport | undefined {
  const start = body.lastIndexOf('\n```json\n');
  if (start < 0) return undefined;
  const end = body.indexOf('\n```', start + 8);
  try {
    return JSON.parse(body.slice(start + 9, end)) as EvidenceReport;
  } catch {
    return undefined;
  }
}
