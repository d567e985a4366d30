import type { StoredEvidence } from '../chain.js';
import type { EvidenceStore } from '../store.js';
import type { TrustedKeys } from './allowed-signers.js';
import { attestationName, checkAttestation, type AttestationCheck } from './attestation.js';

/** The attestation of one stored evidence file, checked against `trusted` at `now`. */
export function checkStoredAttestation(store: EvidenceStore, env: string, file: StoredEvidence, trusted: TrustedKeys, now: Date): AttestationCheck {
  const report = file.check.report;
  return checkAttestation({ name: file.name, sha256: file.sha256, ...(report ? { playbook: { file: report.playbook.file, sha256: report.playbook.sha256 } } : {}) }, store.read(env, attestationName(file.name)), trusted, now);
}
