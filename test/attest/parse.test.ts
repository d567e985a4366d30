import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchesPatternList, parseAllowedSigners, signersOf } from '../../src/evidence/attest/allowed-signers.js';
import { pae } from '../../src/evidence/attest/dsse.js';
import { parsePublicKey, parseSigningKey } from '../../src/evidence/attest/ssh-key.js';
import { allowedSigner, sshKeygen } from './keys.js';

describe('OpenSSH keys', () => {
  it('reads an ed25519 key made by ssh-keygen; its keyid is the fingerprint ssh-keygen -l prints', () => {
    const key = sshKeygen();
    const parsed = parseSigningKey(readFileSync(key.file, 'utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(parsed.value.keyid).toBe(key.fingerprint);
    const [type, base64] = key.pub.split(' ');
    const pub = parsePublicKey(type!, base64!);
    expect(pub.ok && pub.value.keyid).toBe(key.fingerprint);
  });

  it('refuses an encrypted key, an RSA key and a public key, saying which', () => {
    const encrypted = parseSigningKey(readFileSync(sshKeygen({ passphrase: 'correct horse' }).file, 'utf8'));
    expect(encrypted).toEqual({ ok: false, message: expect.stringMatching(/^the key is encrypted \(it has a passphrase\)/) });
    const rsa = parseSigningKey(readFileSync(sshKeygen({ type: 'rsa' }).file, 'utf8'));
    expect(rsa).toEqual({ ok: false, message: 'a ssh-rsa key; rollout signs with ed25519 keys only (ssh-keygen -t ed25519)' });
    const pub = parseSigningKey(sshKeygen().pub);
    expect(pub).toEqual({ ok: false, message: 'this is a public key; give the private key (the file without .pub)' });
    expect(parseSigningKey('hello').ok).toBe(false);
  });
});

describe('allowed_signers', () => {
  const a = sshKeygen();
  const b = sshKeygen();
  const rsa = sshKeygen({ type: 'rsa' });

  it('reads principals, patterns and options; skips what it cannot honour, saying why', () => {
    const keys = parseAllowedSigners([
      '# CI signers',
      '',
      allowedSigner('ci@example.com,"release bot"', a.pub),
      allowedSigner('*@ops.example.com', b.pub, 'namespaces="rollout,git",valid-after=20200101'),
      allowedSigner('old@example.com', b.pub, 'valid-before=20200101Z'),
      allowedSigner('git-only@example.com', a.pub, 'namespaces="git"'),
      allowedSigner('ca@example.com', a.pub, 'cert-authority'),
      allowedSigner('rsa@example.com', rsa.pub),
    ].join('\n'));
    expect(keys.signers.map((s) => [s.line, s.principals, s.keyid])).toEqual([
      [3, ['ci@example.com', 'release bot'], a.fingerprint],
      [4, ['*@ops.example.com'], b.fingerprint],
      [5, ['old@example.com'], b.fingerprint],
    ]);
    expect(keys.skipped).toEqual([
      'line 6: namespaces="git" does not allow "rollout"',
      'line 7: cert-authority lines are not supported (rollout verifies plain keys)',
      'line 8: a ssh-rsa key (only ssh-ed25519 keys sign attestations)',
    ]);
    // valid-before 2020: not a signer of b today.
    expect(signersOf(keys, b.fingerprint, new Date()).map((s) => s.line)).toEqual([4]);
    expect(signersOf(keys, b.fingerprint, new Date('2019-06-01T00:00:00Z')).map((s) => s.line)).toEqual([5]);
  });

  it('matches principals as OpenSSH pattern lists do', () => {
    expect(matchesPatternList('alice@ops.example.com', ['*@ops.example.com'])).toBe(true);
    expect(matchesPatternList('alice@example.com', ['*@ops.example.com'])).toBe(false);
    expect(matchesPatternList('bot@ops.example.com', ['*@ops.example.com', '!bot@*'])).toBe(false);
    expect(matchesPatternList('a.b', ['a?b'])).toBe(true);
    expect(matchesPatternList('axb', ['a.b'])).toBe(false);
  });
});

describe('DSSE', () => {
  it("encodes the PAE as the DSSE v1 protocol's example", () => {
    // The worked example of DSSE's protocol.md.
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });
});
