import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh key made by the real ssh-keygen: `{ file, pub, fingerprint }` (fingerprint as `ssh-keygen -l` prints it). */
export function sshKeygen(options: { type?: 'ed25519' | 'rsa'; passphrase?: string; comment?: string; dir?: string } = {}): { file: string; pub: string; fingerprint: string } {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rollout-key-'));
  const file = join(dir, `key-${Math.random().toString(36).slice(2, 8)}`);
  execFileSync('ssh-keygen', ['-q', '-t', options.type ?? 'ed25519', ...(options.type === 'rsa' ? ['-b', '2048'] : []), '-N', options.passphrase ?? '', '-C', options.comment ?? 'ci@example.com', '-f', file]);
  const listed = execFileSync('ssh-keygen', ['-l', '-f', file]).toString().trim();
  return { file, pub: readFileSync(`${file}.pub`, 'utf8').trim(), fingerprint: listed.split(' ')[1]! };
}

/** An allowed_signers line for a `.pub` line: `principals [options] type key`. */
export function allowedSigner(principals: string, pub: string, options = ''): string {
  const [type, key] = pub.split(' ');
  return `${principals}${options ? ` ${options}` : ''} ${type} ${key}`;
}
