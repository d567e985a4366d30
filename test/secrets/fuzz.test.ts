import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/secrets/redactor.js';
import { seededRandom as random } from '../helpers/seeded-random.js';

// The campaign's spirit as a test: random secrets of every awkward kind, hidden in random
// text in every encoding a sink may produce, fed through the stream in random byte chunks.
// REDACT_FUZZ_SEED explores other seeds; the suite always runs the same one.
const SEED = Number(process.env.REDACT_FUZZ_SEED ?? 0x5ec7e7);
const TRIALS = 200;


const ALPHABETS = {
  ascii: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!*()@:+/ %&=?#',
  jsonSpecial: 'ab"\\/\t\n\r\u0001xyz',
  nonAscii: 'éüßçøあ中ключ✓€😀🔑',
  digits: '0123456789',
};

function makeSecret(next: () => number): string {
  const kinds = Object.keys(ALPHABETS) as Array<keyof typeof ALPHABETS>;
  const kind = kinds[Math.floor(next() * kinds.length)]!;
  const mixed = next() < 0.3;
  const length = 8 + Math.floor(next() * 17);
  let secret = '';
  while ([...secret].length < length) {
    const alphabet = [...ALPHABETS[mixed && next() < 0.5 ? 'ascii' : kind]];
    secret += alphabet[Math.floor(next() * alphabet.length)];
  }
  // A secret that is only blank space, or starts or ends with a line break, is not a password anyone has.
  return secret.trim().length >= 8 ? secret.replace(/^\s+|\s+$/g, 'k') : `${secret}-padding-x`;
}

function aroundText(next: () => number): string {
  const words = ['ok', 'token=', 'é', '"', '\\', '{', 'ключ', '😀', ' ', '\n', '%', '+', 'abc', '42', '/'];
  let text = '';
  for (let i = Math.floor(next() * 6); i > 0; i--) text += words[Math.floor(next() * words.length)];
  return text;
}

const asciiJson = (text: string) => JSON.stringify(text).slice(1, -1).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Each encoding of a secret, as a writer would embed it in text. */
const ENCODINGS: Record<string, (secret: string) => string> = {
  plain: (s) => s,
  base64: (s) => Buffer.from(s).toString('base64'),
  base64url: (s) => Buffer.from(s).toString('base64url'),
  basicAuth: (s) => `Basic ${Buffer.from(`admin:${s}`).toString('base64')}`,
  encodeURIComponent: (s) => encodeURIComponent(s),
  lowerHex: (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
  form: (s) => new URLSearchParams({ q: s }).toString(),
  urlPassword: (s) => {
    const url = new URL('postgres://app@db.internal:5432/x');
    url.password = s;
    return url.href;
  },
  urlPath: (s) => {
    const url = new URL('https://example.test/');
    url.pathname = `/a/${s}`;
    return url.href;
  },
  json: (s) => JSON.stringify(s).slice(1, -1),
  jsonTwice: (s) => JSON.stringify(JSON.stringify(s)).slice(1, -1),
  jsonAscii: asciiJson,
};

/** What must not survive for this encoding: the text itself, or for base64 inside a longer text, its stable middle. */
function survivors(secret: string, encoding: string): string[] {
  if (encoding === 'basicAuth') {
    const encoded = Buffer.from(`admin:${secret}`).toString('base64');
    const stable = encoded.slice(8, Math.floor(((6 + Buffer.byteLength(secret)) * 4) / 3));
    return [stable];
  }
  if (encoding === 'urlPassword' || encoding === 'urlPath' || encoding === 'form') {
    const url = ENCODINGS[encoding]!(secret);
    const password = encoding === 'urlPassword' ? new URL(url).password : encoding === 'urlPath' ? new URL(url).pathname.slice(3) : url.slice(2);
    return [password];
  }
  const forms = [ENCODINGS[encoding]!(secret)];
  return forms;
}

describe('redaction fuzz (seeded)', () => {
  it(`masks every encoded form of random secrets in ${TRIALS} trials of random text and random chunking`, () => {
    const next = random(SEED);
    for (let trial = 0; trial < TRIALS; trial++) {
      const secrets = Array.from({ length: 1 + Math.floor(next() * 3) }, () => makeSecret(next));
      const redactor = new Redactor();
      for (const secret of secrets) redactor.add(secret);
      const names = Object.keys(ENCODINGS);
      const used: Array<{ secret: string; encoding: string }> = [];
      let text = aroundText(next);
      for (let i = 0; i < 4; i++) {
        const secret = secrets[Math.floor(next() * secrets.length)]!;
        const encoding = names[Math.floor(next() * names.length)]!;
        used.push({ secret, encoding });
        text += ENCODINGS[encoding]!(secret) + aroundText(next);
      }
      const multiLine = secrets.find((s) => s.includes('\n'));
      if (multiLine) for (const line of multiLine.split(/\r?\n/)) text += `${line}${aroundText(next)}`;

      // The stream, in random byte chunks (cutting characters apart).
      const bytes = Buffer.from(text);
      let written = '';
      const stream = redactor.stream((t) => (written += t));
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(next() * 24);
        stream.write(bytes.subarray(at, at + size));
        at += size;
      }
      stream.flush();
      const context = `trial ${trial}: secrets ${JSON.stringify(secrets)} text ${JSON.stringify(text)}`;
      for (const { secret, encoding } of used) {
        for (const form of survivors(secret, encoding)) if (form.length >= 4) expect(written.includes(form), `${context}: ${encoding} survived in ${JSON.stringify(written)}`).toBe(false);
      }
      if (multiLine) {
        for (const line of multiLine.split(/\r?\n/)) if (line.trim().length >= 8) expect(written.includes(line), `${context}: a line survived`).toBe(false);
      }
      expect(written, context).toContain('***');

      // Values: redacted field by field, the JSON made from them parses and holds no secret.
      const digits = secrets.find((s) => /^\d+$/.test(s));
      const value = {
        [`key ${secrets[0]}`]: text,
        list: used.map(({ secret }) => `x${secret}y`),
        ...(digits ? { number: Number(`9${digits}`), exact: Number(digits) } : {}),
      };
      const json = JSON.stringify(redactor.redactValue(value));
      expect(() => JSON.parse(json), context).not.toThrow();
      for (const secret of secrets) expect(json.includes(JSON.stringify(secret).slice(1, -1)), context).toBe(false);
      for (const { secret, encoding } of used) for (const form of survivors(secret, encoding)) if (form.length >= 4) expect(json.includes(ENCODINGS.json!(form)), `${context}: ${encoding} in value JSON`).toBe(false);

      // A document serialised elsewhere, redacted as text: no escaped form survives, and it still parses.
      const document = JSON.stringify({ body: text, nested: JSON.stringify({ text }) });
      const redacted = redactor.redact(document);
      for (const secret of secrets) {
        expect(redacted.includes(JSON.stringify(secret).slice(1, -1)), `${context}: escaped form in a document`).toBe(false);
      }
      expect(() => JSON.parse(redacted), `${context}: ${redacted}`).not.toThrow();
    }
  });
});
