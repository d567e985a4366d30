import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { placeFile } from '../file-store.js';
import type { EvidenceStore } from '../store.js';
import { parseAllowedSigners, type TrustedKeys } from './allowed-signers.js';
import { attestationName, composeAttestation } from './attestation.js';
import { parseSigningKey, type Parsed, type SigningKey } from './ssh-key.js';
import type { AttestedRun } from './statement.js';

/** `--sign-key FILE`: the key, or a line saying what is wrong with it (the key's bytes never appear). */
export function loadSigningKey(file: string): Parsed<SigningKey> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, message: `--sign-key ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  const parsed = parseSigningKey(text);
  return parsed.ok ? parsed : { ok: false, message: `--sign-key ${file}: ${parsed.message}` };
}

/** An allowed_signers file; one without a single usable key is refused (it could trust nothing). */
export function loadTrustedKeys(file: string): Parsed<TrustedKeys> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, message: `trusted keys ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  const keys = parseAllowedSigners(text);
  if (!keys.signers.length) return { ok: false, message: `trusted keys ${file}: no usable ssh-ed25519 key${keys.skipped.length ? ` (${keys.skipped.join('; ')})` : ''}` };
  return { ok: true, value: keys };
}

/**
 * Signs an evidence file already in the store and places its attestation beside it.
 * Until the store writes companions in the same append (one commit in git), this places the
 * file itself, which only a store of local paths allows.
 */
export function attestStoredEvidence(store: EvidenceStore, env: string, evidenceName: string, run: AttestedRun, key: SigningKey): { ok: true; path: string } | { ok: false; message: string } {
  const bytes = store.read(env, evidenceName);
  if (!bytes) return { ok: false, message: `cannot read ${store.locate(env, evidenceName)} back to sign it` };
  const attestation = composeAttestation({ name: evidenceName, text: bytes }, run, store.locate(env, evidenceName), key);
  return placeBeside(store, env, attestation);
}

function placeBeside(store: EvidenceStore, env: string, file: { name: string; text: string }): { ok: true; path: string } | { ok: false; message: string } {
  const path = store.locate(env, file.name);
  if (!store.url.startsWith('file:')) return { ok: false, message: `${store.url} cannot hold attestations yet` };
  const placed = placeFile(dirname(path), basename(path), file.text);
  if (placed === 'placed') return { ok: true, path };
  return { ok: false, message: placed === 'taken' ? `${path} already exists` : placed };
}

export { attestationName };
