import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { WireReader, wireString } from './ssh-wire.js';

const ED25519 = 'ssh-ed25519';
const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** `SHA256:...` as `ssh-keygen -l` prints it: the envelope's keyid. */
  keyid: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** The fingerprint `ssh-keygen -l` prints: SHA256 of the public key blob, base64 without padding. */
export function fingerprintOf(publicBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicBlob).digest('base64').replace(/=+$/, '')}`;
}

export function ed25519Blob(rawPublicKey: Buffer): Buffer {
  return Buffer.concat([wireString(ED25519), wireString(rawPublicKey)]);
}

/**
 * An OpenSSH private key file (`-----BEGIN OPENSSH PRIVATE KEY-----`) holding one unencrypted
 * ed25519 key. Everything else is refused by what it is — encrypted, another algorithm, a
 * public key, a PEM key — so the user knows what to generate instead. Messages never quote
 * the key's bytes.
 */
export function parseSigningKey(text: string): Parsed<SigningKey> {
  const pem = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!pem) {
    if (/^\s*(ssh-|ecdsa-|sk-)\S+ [A-Za-z0-9+/=]+/.test(text)) return { ok: false, message: 'this is a public key; give the private key (the file without .pub)' };
    return { ok: false, message: 'not an OpenSSH private key (no -----BEGIN OPENSSH PRIVATE KEY----- block)' };
  }
  const label = pem[1]!;
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(pem[2]!)) return encrypted();
  if (label !== 'OPENSSH PRIVATE KEY') return { ok: false, message: `a PEM "${label}"; rollout signs with an OpenSSH ed25519 key (ssh-keygen -t ed25519)` };
  const bytes = Buffer.from(pem[2]!.replace(/\s+/g, ''), 'base64');
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) return damaged();
  const wire = new WireReader(bytes.subarray(MAGIC.length));
  const cipher = wire.text();
  const kdf = wire.text();
  wire.string();
  const count = wire.uint32();
  if (cipher === undefined || kdf === undefined || count === undefined) return damaged();
  const publicBlob = wire.string();
  if (!publicBlob) return damaged();
  const type = new WireReader(publicBlob).text();
  if (type !== ED25519) return { ok: false, message: `a ${type ?? 'unknown'} key; rollout signs with ed25519 keys only (ssh-keygen -t ed25519)` };
  if (cipher !== 'none' || kdf !== 'none') return encrypted();
  if (count !== 1) return { ok: false, message: `${count} keys in one file; give a file with one ed25519 key` };
  const secret = wire.string();
  if (!secret) return damaged();
  const keys = new WireReader(secret);
  const check1 = keys.uint32();
  const check2 = keys.uint32();
  const innerType = keys.text();
  const rawPublic = keys.string();
  const rawPrivate = keys.string();
  if (check1 === undefined || check1 !== check2 || innerType !== ED25519 || rawPublic?.length !== 32 || rawPrivate?.length !== 64) return damaged();
  if (!rawPrivate.subarray(32).equals(rawPublic) || !ed25519Blob(rawPublic).equals(publicBlob)) return damaged();
  try {
    const x = rawPublic.toString('base64url');
    const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: rawPrivate.subarray(0, 32).toString('base64url'), x }, format: 'jwk' });
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    return { ok: true, value: { privateKey, publicKey, keyid: fingerprintOf(publicBlob) } };
  } catch {
    return damaged();
  }
}

/** `ssh-ed25519 AAAA...` → the key and its fingerprint; other key types are not ours to verify. */
export function parsePublicKey(type: string, base64: string): Parsed<{ publicKey: KeyObject; keyid: string }> {
  if (type !== ED25519) return { ok: false, message: `a ${type} key (only ssh-ed25519 keys sign attestations)` };
  const blob = Buffer.from(base64, 'base64');
  const wire = new WireReader(blob);
  const inner = wire.text();
  const raw = wire.string();
  if (inner !== ED25519 || raw?.length !== 32) return { ok: false, message: 'a damaged ssh-ed25519 key' };
  try {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    return { ok: true, value: { publicKey, keyid: fingerprintOf(blob) } };
  } catch {
    return { ok: false, message: 'a damaged ssh-ed25519 key' };
  }
}

function encrypted(): { ok: false; message: string } {
  return { ok: false, message: 'the key is encrypted (it has a passphrase), and rollout cannot ask for one; use an unencrypted ed25519 key kept in your CI secret store (ssh-keygen -t ed25519 -N "")' };
}

function damaged(): { ok: false; message: string } {
  return { ok: false, message: 'a damaged or unsupported OpenSSH private key' };
}
