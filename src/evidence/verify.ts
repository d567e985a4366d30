import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { orderChain, readStored, type StoredEvidence } from './chain.js';
import { checkEvidenceText, type FileCheck } from './check-file.js';
import type { TrustedKeys } from './attest/allowed-signers.js';
import { checkStoredAttestation } from './attest/verify-attestations.js';
import { fileStore } from './file-store.js';
import type { EvidenceStore } from './store.js';

export { readReport, type EvidenceReport, type FileCheck } from './check-file.js';

export interface VerifyOptions {
  /** Also check each file's attestation against these keys (`--trusted-keys`). */
  trustedKeys?: TrustedKeys;
  now?: Date;
}

export interface VerifyProblem {
  file: string;
  message: string;
}

/** Checks one file's digest and that it still carries its own name. */
export function verifyEvidenceFile(file: string): FileCheck {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { ok: false, message: 'cannot read the file' };
  }
  return checkEvidenceText(text, basename(file));
}

/**
 * Every file of the store's environments, and each chain of (playbook, env): one line of
 * files, each following the one written before it. A changed, deleted, reordered or inserted
 * file, or a fork, is a problem.
 */
export function verifyStore(store: EvidenceStore, envs = store.environments(), options: VerifyOptions = {}): { checked: number; problems: VerifyProblem[] } {
  const problems: VerifyProblem[] = [];
  let checked = 0;
  for (const env of envs) {
    const names = store.names(env);
    checked += names.length;
    const chains = new Map<string, StoredEvidence[]>();
    for (const name of names) {
      const file = readStored(store, env, name);
      if (!file.check.ok || !file.check.report) {
        problems.push({ file: store.locate(env, name), message: file.check.message });
        continue;
      }
      // The playbook named inside the file, exactly: `api` and `api-rollback-drill` are two chains.
      const playbook = file.check.report.playbook.name;
      chains.set(playbook, [...(chains.get(playbook) ?? []), file]);
      const attested = options.trustedKeys && checkStoredAttestation(store, env, file, options.trustedKeys, options.now ?? new Date());
      if (attested && !attested.ok) problems.push({ file: store.locate(env, name), message: attested.message });
    }
    for (const files of chains.values()) {
      for (const off of orderChain(files, new Set(names)).offChain) problems.push({ file: store.locate(env, off.name), message: off.message });
    }
  }
  for (const message of store.integrityProblems?.() ?? []) problems.push({ file: store.url, message });
  problems.sort((a, b) => a.file.localeCompare(b.file));
  return { checked, problems };
}

/**
 * A file: its digest. A folder: every folder below it that holds evidence files is an
 * environment of the `file:` store around it, verified with its chains.
 */
export function verifyEvidence(target: string, options: VerifyOptions = {}): { checked: number; problems: VerifyProblem[] } {
  if (!statSync(target).isDirectory()) {
    const check = verifyEvidenceFile(target);
    if (!check.ok) return { checked: 1, problems: [{ file: target, message: check.message }] };
    if (!options.trustedKeys) return { checked: 1, problems: [] };
    // The file's folder is its environment in the store around it.
    const store = fileStore(dirname(dirname(target)));
    const env = basename(dirname(target));
    const attested = checkStoredAttestation(store, env, readStored(store, env, basename(target)), options.trustedKeys, options.now ?? new Date());
    return { checked: 1, problems: !attested.ok ? [{ file: target, message: attested.message }] : [] };
  }
  let checked = 0;
  const problems: VerifyProblem[] = [];
  for (const folder of foldersWithEvidence(target)) {
    const found = verifyStore(fileStore(dirname(folder)), [basename(folder)], options);
    checked += found.checked;
    problems.push(...found.problems);
  }
  return { checked, problems };
}

function foldersWithEvidence(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const here = entries.some((e) => e.isFile() && e.name.endsWith('.md') && !e.name.startsWith('.')) ? [dir] : [];
  return [...here, ...entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).flatMap((e) => foldersWithEvidence(join(dir, e.name)))];
}
