import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export interface Caller {
  name: string;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Equal-length digests compared in constant time: neither the token nor its length leaks. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** `TOKEN` or `NAME TOKEN` per line, `#` comments; unnamed tokens are `token-N` (line N). */
export function parseTokenFile(text: string): Array<{ name: string; token: string }> {
  const tokens: Array<{ name: string; token: string }> = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const parts = line.split(/\s+/);
    if (parts.length === 1) tokens.push({ name: `token-${i + 1}`, token: parts[0]! });
    else tokens.push({ name: parts[0]!, token: parts.slice(1).join(' ') });
  });
  return tokens;
}

/**
 * The bearer tokens, re-read when the file changes (rotation without a restart). A file
 * that cannot be read admits nobody: authentication fails closed.
 */
export class TokenFile {
  private seen = '';
  private tokens: Array<{ name: string; token: string }> = [];

  constructor(private readonly file: string) {}

  private refresh(): void {
    try {
      const stat = statSync(this.file);
      const stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
      if (stamp === this.seen) return;
      this.tokens = parseTokenFile(readFileSync(this.file, 'utf8'));
      this.seen = stamp;
    } catch {
      this.tokens = [];
      this.seen = '';
    }
  }

  /** The caller a token belongs to, or undefined. Every entry is compared (no early exit). */
  identify(presented: string | undefined): Caller | undefined {
    if (!presented) return undefined;
    this.refresh();
    let found: Caller | undefined;
    for (const { name, token } of this.tokens) if (sameSecret(presented, token) && !found) found = { name };
    return found;
  }

  count(): number {
    this.refresh();
    return this.tokens.length;
  }
}
