import { StringDecoder } from 'node:string_decoder';
import { base64Forms, formPattern } from './forms.js';
import { urlPassword } from './url.js';

export const MASK = '***';

/**
 * The one redaction point for every sink. It knows each secret in the forms it may take on
 * the way out: as written, each line of a multi-line value, base64 (standard and URL-safe,
 * at every byte alignment), URL-encoded (by any encoder, either hex case) and JSON-escaped
 * (at any depth of nesting, `\uXXXX` included), or any mix of these.
 *
 * Values are redacted field by field (`redactValue`) before anything serialises them;
 * `redact` is for free text (messages, child output), `stream` for stdout and stderr.
 */
export class Redactor {
  private forms: Array<{ source: string; maxLength: number }> = [];
  private regex: RegExp | undefined;
  private finder: RegExp | undefined;

  add(secret: string): void {
    if (!secret) return;
    // In a connection URL only the password is secret: the evidence should still show
    // which host was checked (postgres://app:***@db.internal:5432/payments).
    const password = urlPassword(secret);
    if (password !== undefined && password.decoded.length >= 8) {
      this.add(password.decoded);
      if (password.written !== password.decoded) this.add(password.written);
      return;
    }
    const plain = new Set<string>([secret]);
    for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 8) plain.add(line);
    const all = [...plain, ...base64Forms(secret)];
    for (const form of all) {
      if (form.length < 4) continue;
      const pattern = formPattern(form);
      if (!this.forms.some((f) => f.source === pattern.source)) this.forms.push(pattern);
    }
    // Longest first, so a secret is masked whole before any of its parts.
    this.forms.sort((a, b) => b.maxLength - a.maxLength);
    const source = this.forms.map((f) => f.source).join('|');
    this.regex = new RegExp(source, 'g');
    this.finder = new RegExp(source);
  }

  get size(): number {
    return this.forms.length;
  }

  /** The longest text a form can match: a stream holds back this much minus one to catch a split secret. */
  get longest(): number {
    return this.forms[0]?.maxLength ?? 0;
  }

  redact(text: string): string {
    // Most texts hold no secret: one test is far cheaper than starting a matchAll.
    if (!this.regex || !this.finder!.test(text)) return text;
    let out = '';
    let from = 0;
    this.regex.lastIndex = 0;
    for (const match of text.matchAll(this.regex)) {
      let start = match.index;
      // A match right after an odd run of backslashes began inside an escape (`\t`, `\"`):
      // the mask takes that backslash too, or the JSON around it would be left broken.
      let run = 0;
      while (start - run - 1 >= from && text[start - run - 1] === '\\') run++;
      if (run % 2 === 1) start--;
      out += text.slice(from, start) + MASK;
      from = match.index + match[0].length;
    }
    return out + text.slice(from);
  }

  /** Whether a text holds a secret in any form (to refuse it where masking would mangle: argv, identifiers). */
  holdsSecret(text: string): boolean {
    return this.finder ? this.finder.test(text) : false;
  }

  /**
   * Redacts every string inside a value, object keys included, before it is serialised;
   * the shape stays as it was, so the JSON made from it is always valid. A number whose
   * digits show a secret becomes the string `***` (JSON has no masked number). Dates and
   * anything else with `toJSON` are redacted as what they serialise to.
   */
  redactValue<T>(value: T): T {
    if (!this.regex) return value;
    return this.redactAny(value, new WeakMap()) as T;
  }

  private redactAny(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (typeof value === 'number' || typeof value === 'bigint') return this.holdsSecret(String(value)) ? MASK : value;
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return seen.get(value);
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return this.redactAny((value as { toJSON(): unknown }).toJSON(), seen);
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      seen.set(value, copy);
      for (const item of value) copy.push(this.redactAny(item, seen));
      return copy;
    }
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const [key, item] of Object.entries(value)) {
      let name = this.redact(key);
      // Two keys masked to one text must not overwrite each other.
      for (let n = 2; name !== key && Object.hasOwn(copy, name); n++) name = `${this.redact(key)} (${n})`;
      copy[name] = this.redactAny(item, seen);
    }
    return copy;
  }

  /**
   * A redacting stream over chunks: a secret split across two writes is still caught, and
   * so is a character split across byte chunks (bytes are decoded only once whole).
   */
  stream(write: (text: string) => void): { write(chunk: string | Uint8Array): void; flush(): void } {
    let pending = '';
    const decoder = new StringDecoder('utf8');
    return {
      write: (chunk: string | Uint8Array) => {
        const decoded = typeof chunk === 'string' ? decoder.end() + chunk : decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        const text = pending + decoded;
        if (!this.regex) {
          pending = '';
          if (text) write(text);
          return;
        }
        const hold = Math.max(0, this.longest - 1);
        if (text.length <= hold) {
          pending = text;
          return;
        }
        // Redact what can no longer grow into a secret; keep the tail for the next chunk.
        let cut = text.length - hold;
        // Keep a run of backslashes with what follows it: a match there may take one of them.
        for (let back = 0; back < 16 && cut > 1 && text[cut - 1] === '\\'; back++) cut--;
        // Find a cut point outside any match so masks are never split.
        this.regex.lastIndex = 0;
        for (const match of text.matchAll(this.regex)) {
          const end = match.index + match[0].length;
          if (match.index < cut && end > cut) cut = end;
        }
        // Never cut between the halves of a surrogate pair: written alone, each is garbage.
        if (isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
        if (cut > 0) write(this.redact(text.slice(0, cut)));
        pending = text.slice(cut);
      },
      flush: () => {
        const text = pending + decoder.end();
        pending = '';
        if (text) write(this.redact(text));
      },
    };
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** JSON has no NaN or Infinity: keep them visible as text instead of null. */
export function keepNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}
