export const MASK = '***';

/**
 * The one redaction point for every sink. It knows each secret in the forms it may take on
 * the way out: as written, each line of a multi-line value, base64 (standard and URL-safe,
 * at every byte alignment), URL-encoded and JSON-escaped.
 */
export class Redactor {
  private patterns: string[] = [];
  private regex: RegExp | undefined;

  add(secret: string): void {
    if (!secret) return;
    // In a connection URL only the password is secret: the evidence should still show
    // which host was checked (postgres://app:***@db.internal:5432/payments).
    const password = urlPassword(secret);
    if (password !== undefined && password.length >= 8) {
      this.add(password);
      if (decodeURIComponent(password) !== password) this.add(decodeURIComponent(password));
      return;
    }
    const forms = new Set<string>([secret]);
    for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 8) forms.add(line);
    forms.add(encodeURIComponent(secret));
    forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(secret.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!));
    for (const encoded of base64Forms(secret)) forms.add(encoded);
    for (const form of forms) if (form.length >= 4 && !this.patterns.includes(form)) this.patterns.push(form);
    // Longest first, so a secret is masked whole before any of its parts.
    this.patterns.sort((a, b) => b.length - a.length);
    this.regex = new RegExp(this.patterns.map(escapeRegex).join('|'), 'g');
  }

  get size(): number {
    return this.patterns.length;
  }

  /** The longest form: a stream must hold back this much minus one to catch a split secret. */
  get longest(): number {
    return this.patterns[0]?.length ?? 0;
  }

  redact(text: string): string {
    return this.regex ? text.replace(this.regex, MASK) : text;
  }

  /** Redacts every string inside a value (for JSON reports and evidence). */
  redactValue<T>(value: T): T {
    if (!this.regex) return value;
    return JSON.parse(this.redact(JSON.stringify(value, keepNonFinite))) as T;
  }

  /** A redacting stream over chunks: a secret split across two writes is still caught. */
  stream(write: (text: string) => void): { write(chunk: string): void; flush(): void } {
    let pending = '';
    return {
      write: (chunk: string) => {
        const text = pending + chunk;
        const hold = Math.max(0, this.longest - 1);
        if (!this.regex || text.length <= hold) {
          if (!this.regex) write(text);
          pending = this.regex ? text : '';
          return;
        }
        // Redact what can no longer grow into a secret; keep the tail for the next chunk.
        let cut = text.length - hold;
        const redacted = this.redact(text);
        if (redacted === text) {
          write(text.slice(0, cut));
          pending = text.slice(cut);
          return;
        }
        // Find a cut point outside any match so masks are never split.
        this.regex.lastIndex = 0;
        for (const match of text.matchAll(this.regex)) {
          const end = match.index! + match[0].length;
          if (match.index! < cut && end > cut) cut = end;
        }
        write(this.redact(text.slice(0, cut)));
        pending = text.slice(cut);
      },
      flush: () => {
        if (pending) write(this.redact(pending));
        pending = '';
      },
    };
  }
}

/** JSON has no NaN or Infinity: keep them visible as text instead of null. */
export function keepNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function urlPassword(text: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s]*:[^/\s]*@/i.test(text)) return undefined;
  try {
    return new URL(text).password || undefined;
  } catch {
    return undefined;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** base64 of the secret as it appears inside a longer encoded text at each of 3 alignments. */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    let encoded = padded.toString('base64');
    // Drop characters that depend on the bytes around the secret.
    const lead = Math.ceil((offset * 4) / 3);
    const stableEnd = Math.floor(((offset + bytes.length) * 4) / 3);
    const whole = offset === 0 ? encoded : undefined;
    encoded = encoded.slice(lead, stableEnd);
    for (const form of [whole, whole?.replace(/=+$/, ''), encoded]) {
      if (form && form.length >= 8) {
        forms.push(form);
        forms.push(form.replace(/\+/g, '-').replace(/\//g, '_'));
      }
    }
  }
  return forms;
}
