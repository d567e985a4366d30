import { readFileSync } from 'node:fs';
import { parseAllowedSigners, type TrustedKeys } from './allowed-signers.js';
import { attestationName } from './attestation.js';
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

export { attestationName };
