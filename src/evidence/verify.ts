import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DIGEST_PREFIX } from './render.js';
import { sha256 } from './write.js';

export interface VerifyProblem {
  file: string;
  message: string;
}

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

/** Checks one file's digest and that it still carries its own name. */
export function verifyEvidenceFile(file: string): FileCheck {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { ok: false, message: 'cannot read the file' };
  }
  const at = text.lastIndexOf(DIGEST_PREFIX);
  if (at < 0) return { ok: false, message: 'no digest line: not rollout evidence, or cut short' };
  const body = text.slice(0, at);
  const match = /^<!-- rollout-digest sha256:([0-9a-f]{64}) -->\n?$/.exec(text.slice(at));
  if (!match) return { ok: false, message: 'the digest line is damaged, or text follows it' };
  if (sha256(body) !== match[1]) return { ok: false, message: 'digest mismatch: the file was changed after it was written' };
  const report = readReport(body);
  if (!report) return { ok: false, message: 'the JSON report block is missing or unreadable' };
  if (report.evidence !== basename(file)) return { ok: false, message: `the file was renamed: it was written as ${report.evidence}` };
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

/**
 * A file: its digest. A folder: every evidence file below it, and each chain of
 * (playbook, env): a deleted or reordered file breaks the chain.
 */
export function verifyEvidence(target: string): { checked: number; problems: VerifyProblem[] } {
  const files = statSync(target).isDirectory() ? findEvidence(target) : [target];
  const problems: VerifyProblem[] = [];
  const chains = new Map<string, Array<{ file: string; report: EvidenceReport }>>();
  for (const file of files) {
    const check = verifyEvidenceFile(file);
    if (!check.ok || !check.report) {
      problems.push({ file, message: check.message });
      continue;
    }
    const key = `${dirname(file)}\u0000${check.report.playbook.name}`;
    chains.set(key, [...(chains.get(key) ?? []), { file, report: check.report }]);
  }
  if (statSync(target).isDirectory()) {
    for (const chain of chains.values()) {
      chain.sort((a, b) => basename(a.file).localeCompare(basename(b.file)));
      chain.forEach((link, i) => {
        const before = chain[i - 1];
        const previous = link.report.previous;
        if (!before) {
          if (previous) problems.push({ file: link.file, message: `chain broken: it follows ${previous.fileName}, which is missing` });
          return;
        }
        if (!previous) problems.push({ file: link.file, message: `chain broken: it claims no predecessor, but ${basename(before.file)} comes before it` });
        else if (previous.sha256 !== sha256(readFileSync(before.file))) {
          problems.push({ file: link.file, message: previous.fileName === basename(before.file) ? `chain broken: ${previous.fileName} changed since` : `chain broken: it follows ${previous.fileName}, but ${basename(before.file)} stands before it (deleted or reordered)` });
        }
      });
    }
  }
  return { checked: files.length, problems };
}

function findEvidence(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findEvidence(path));
    else if (entry.name.endsWith('.md') && !entry.name.startsWith('.')) out.push(path);
  }
  return out.sort();
}
