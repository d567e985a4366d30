import type { KeyObject } from 'node:crypto';
import { parsePublicKey } from './ssh-key.js';

/** The namespace an `allowed_signers` line must allow when it names any (`namespaces="..."`). */
export const SIGNING_NAMESPACE = 'rollout';

export interface TrustedSigner {
  /** Principal patterns of the line (`ci@example.com`, `*@example.com`, `!bot@x`). */
  principals: string[];
  keyid: string;
  publicKey: KeyObject;
  validAfter?: Date;
  validBefore?: Date;
  line: number;
}

export interface TrustedKeys {
  signers: TrustedSigner[];
  /** Lines that were skipped, each `line N: why`; none of them is trusted. */
  skipped: string[];
}

/**
 * OpenSSH's allowed_signers format (ssh-keygen(1), "ALLOWED SIGNERS"): `principals [options]
 * keytype base64 [comment]`. Honoured: principal patterns, `namespaces=` (the line counts only
 * when it allows `rollout`), `valid-after=` / `valid-before=`. Skipped, never trusted:
 * `cert-authority` lines (rollout signs with plain keys) and keys that are not ed25519.
 */
export function parseAllowedSigners(text: string): TrustedKeys {
  const signers: TrustedSigner[] = [];
  const skipped: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const tokens = splitTokens(trimmed);
    if (tokens.length < 3) return void skipped.push(`line ${line}: expected "principals [options] keytype key"`);
    const principals = splitList(tokens[0]!);
    let keyAt = 1;
    let options: Record<string, string | true> = {};
    if (!isKeyType(tokens[1]!)) {
      options = parseOptions(tokens[1]!);
      keyAt = 2;
    }
    const type = tokens[keyAt];
    const base64 = tokens[keyAt + 1];
    if (!type || !base64) return void skipped.push(`line ${line}: expected "principals [options] keytype key"`);
    if (options['cert-authority']) return void skipped.push(`line ${line}: cert-authority lines are not supported (rollout verifies plain keys)`);
    const namespaces = options.namespaces;
    if (typeof namespaces === 'string' && !matchesPatternList(SIGNING_NAMESPACE, splitList(namespaces))) return void skipped.push(`line ${line}: namespaces="${namespaces}" does not allow "${SIGNING_NAMESPACE}"`);
    const key = parsePublicKey(type, base64);
    if (!key.ok) return void skipped.push(`line ${line}: ${key.message}`);
    const validAfter = typeof options['valid-after'] === 'string' ? parseSshTime(options['valid-after']) : undefined;
    const validBefore = typeof options['valid-before'] === 'string' ? parseSshTime(options['valid-before']) : undefined;
    if (validAfter === null || validBefore === null) return void skipped.push(`line ${line}: a valid-after/valid-before time that is not YYYYMMDD[HHMM[SS]][Z]`);
    signers.push({ principals, keyid: key.value.keyid, publicKey: key.value.publicKey, line, ...(validAfter ? { validAfter } : {}), ...(validBefore ? { validBefore } : {}) });
  });
  return { signers, skipped };
}

/** The lines of `keys` holding the key `keyid` that are valid at `now`. */
export function signersOf(keys: TrustedKeys, keyid: string, now: Date): TrustedSigner[] {
  return keys.signers.filter((s) => s.keyid === keyid && isValidAt(s, now));
}

export function isValidAt(signer: TrustedSigner, now: Date): boolean {
  return (!signer.validAfter || signer.validAfter <= now) && (!signer.validBefore || now < signer.validBefore);
}

/**
 * OpenSSH's pattern lists: `*` and `?` wildcards, comma-separated, a `!` pattern that matches
 * vetoes the whole list.
 */
export function matchesPatternList(name: string, patterns: string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    const regex = new RegExp(`^${body.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    if (!regex.test(name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function isKeyType(token: string): boolean {
  return /^(ssh-|ecdsa-|sk-)/.test(token);
}

/** Whitespace-separated, keeping double-quoted runs (`namespaces="a,b c"`) whole, quotes removed. */
function splitTokens(line: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && /\s/.test(char)) {
      if (current) tokens.push(current);
      current = '';
    } else current += char;
  }
  if (current) tokens.push(current);
  return tokens;
}

function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/** `cert-authority,namespaces=git,valid-after=20260101` (quotes already removed). */
function parseOptions(text: string): Record<string, string | true> {
  const options: Record<string, string | true> = {};
  // A value may itself hold commas (namespaces=a,b): a part without `=` that is not a known flag continues it.
  let last: string | undefined;
  for (const part of text.split(',')) {
    const at = part.indexOf('=');
    if (at > 0) {
      last = part.slice(0, at).toLowerCase();
      options[last] = part.slice(at + 1);
    } else if (part.toLowerCase() === 'cert-authority') options['cert-authority'] = true;
    else if (last && typeof options[last] === 'string') options[last] = `${options[last]},${part}`;
  }
  return options;
}

/** `YYYYMMDD[HHMM[SS]][Z]`: UTC with `Z`, local time without, as ssh-keygen reads it. */
function parseSshTime(text: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z)?$/i.exec(text);
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', z] = match;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  return z ? new Date(Date.UTC(...parts)) : new Date(...parts);
}
