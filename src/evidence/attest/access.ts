import type { EvidenceSignature, TrustOptions } from '../../sdk/types.js';
import type { StoredEvidence } from '../chain.js';
import type { EvidenceStore } from '../store.js';
import { matchesPatternList, type TrustedKeys } from './allowed-signers.js';
import { loadTrustedKeys } from './load.js';
import { checkStoredAttestation } from './verify-attestations.js';

/** The trust file as `evidence.recent` asks for it: usable, and which `signedBy` names no key allows. */
export function readTrust(trust: TrustOptions): { ok: true; unknown: string[] } | { ok: false; message: string } {
  const keys = loadTrustedKeys(trust.trustedKeys);
  if (!keys.ok) return keys;
  return { ok: true, unknown: (trust.signedBy ?? []).filter((name) => !keys.value.signers.some((s) => matchesPatternList(name, s.principals))) };
}

/** What each file's attestation proves under `trust`; every file is unverified when the trust file cannot be used. */
export function signaturesOf(store: EvidenceStore, env: string, files: StoredEvidence[], trust: TrustOptions, now = new Date()): EvidenceSignature[] {
  const keys = loadTrustedKeys(trust.trustedKeys);
  return files.map((file) => (keys.ok ? signatureOf(store, env, file, keys.value, trust.signedBy, now) : { verified: false, message: keys.message, signedBy: [] }));
}

function signatureOf(store: EvidenceStore, env: string, file: StoredEvidence, keys: TrustedKeys, signedBy: string[] | undefined, now: Date): EvidenceSignature {
  if (!file.check.ok) return { verified: false, message: 'not checked: the file itself does not verify', signedBy: [] };
  const checked = checkStoredAttestation(store, env, file, keys, now);
  if (!checked.ok) return { verified: false, message: checked.message, signedBy: [] };
  const patterns = checked.signers.flatMap((s) => s.principals);
  const names = signedBy ? signedBy.filter((name) => checked.signers.some((s) => matchesPatternList(name, s.principals))) : patterns.filter((p) => !/[*?!]/.test(p));
  return { verified: true, message: checked.message, signedBy: names };
}
