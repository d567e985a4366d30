import { describe, expect, it } from 'vitest';
import { MASK, Redactor } from '../../src/secrets/redactor.js';

function redactorOf(...secrets: string[]): Redactor {
  const redactor = new Redactor();
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}

describe('redacting values field by field', () => {
  it('masks a secret holding " and \\ inside strings, arrays and object keys, and the result still serialises', () => {
    const secret = 'pa"ss\\w0rd-x';
    const redactor = redactorOf(secret);
    const value = { stdout: `token=${secret}\n`, list: ['a', `${secret}!`], [`key-${secret}`]: 1, nested: { deeper: [{ s: secret }] } };
    const redacted = redactor.redactValue(value);
    const text = JSON.stringify(redacted);
    expect(text).not.toContain('pa\\"ss');
    expect(text).not.toContain('ss\\\\w0rd');
    expect(redacted).toEqual({ stdout: `token=${MASK}\n`, list: ['a', `${MASK}!`], [`key-${MASK}`]: 1, nested: { deeper: [{ s: MASK }] } });
  });

  it('turns a number that shows an all-digit secret into the string mask: the JSON stays valid', () => {
    const redactor = redactorOf('12345678');
    const redacted = redactor.redactValue({ observed: 12345678, bigger: 9123456789, other: 42, text: 'pin 12345678' });
    const text = JSON.stringify(redacted);
    expect(() => JSON.parse(text)).not.toThrow();
    expect(text).not.toContain('12345678');
    expect(JSON.parse(text)).toEqual({ observed: MASK, bigger: MASK, other: 42, text: `pin ${MASK}` });
  });

  it('keeps two keys apart when both are masked to the same text', () => {
    const redactor = redactorOf('s3cr3t-one', 's3cr3t-two');
    const redacted = redactor.redactValue({ 'a s3cr3t-one': 1, 'a s3cr3t-two': 2 }) as Record<string, number>;
    expect(Object.values(redacted).sort()).toEqual([1, 2]);
    expect(JSON.stringify(redacted)).not.toMatch(/s3cr3t/);
  });
});

describe('a document serialised elsewhere, redacted as text', () => {
  const secret = 'qu"ote\\back/slash-é✓';
  const redactor = redactorOf(secret);
  it('masks the secret JSON-escaped once, twice, and in ASCII-only JSON (\\uXXXX)', () => {
    const once = JSON.stringify({ token: secret });
    const twice = JSON.stringify({ body: once });
    const ascii = once.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const slashed = once.replace(/\//g, '\\/');
    for (const doc of [once, twice, ascii, ascii.replace(/\\u([0-9a-f]{4})/g, (_, hex: string) => `\\u${hex.toUpperCase()}`), slashed]) {
      const redacted = redactor.redact(doc);
      expect(redacted, doc).toContain(MASK);
      expect(redacted, doc).not.toMatch(/ote|back|slash/);
      expect(() => JSON.parse(redacted)).not.toThrow();
    }
  });
});

describe('a secret in URLs', () => {
  const secret = 'p@ss w/rd%41:x+y~é';
  const redactor = redactorOf(secret);
  it('masks it as encodeURIComponent, the WHATWG URL parser (userinfo, path, query), forms, and lower-case hex write it', () => {
    const url = new URL('https://user@example.test/');
    url.password = secret;
    url.pathname = `/p/${secret}`;
    url.searchParams.set('q', secret);
    const forms = [
      url.href,
      encodeURIComponent(secret),
      encodeURIComponent(secret).toLowerCase(),
      new URLSearchParams({ q: secret }).toString(),
      encodeURI(secret),
    ];
    for (const form of forms) {
      const redacted = redactor.redact(`seen ${form} end`);
      expect(redacted, form).toContain(MASK);
      expect(redacted, form).not.toMatch(/rd|%41|w%2F|ss%20/i);
    }
  });

  it('accepts a connection URL whose password holds a bare %, and masks only the password', () => {
    const url = 'postgres://app:pa%ss-word-long@db.internal:5432/payments';
    const redactor = new Redactor();
    expect(() => redactor.add(url)).not.toThrow();
    expect(redactor.redact(`connecting to ${url}`)).toBe(`connecting to postgres://app:${MASK}@db.internal:5432/payments`);
    expect(redactor.redact('PGPASSWORD=pa%ss-word-long')).toBe(`PGPASSWORD=${MASK}`);
    expect(redactor.redact('PGPASSWORD=pa%25ss-word-long')).toBe(`PGPASSWORD=${MASK}`);
  });

  it('a percent-encoded password is masked as written and as decoded', () => {
    const redactor = redactorOf('postgres://app:s3cr%2Fet%20pw@db.internal/payments');
    expect(redactor.redact('postgres://app:s3cr%2Fet%20pw@db.internal/payments')).toBe(`postgres://app:${MASK}@db.internal/payments`);
    expect(redactor.redact('pw is s3cr/et pw')).toBe(`pw is ${MASK}`);
  });
});

describe('the streaming redactor on bytes', () => {
  it('catches a non-ASCII secret cut inside a character across chunks', () => {
    const secret = 'ключ-секрет-✓-😀';
    const redactor = redactorOf(secret);
    const bytes = Buffer.from(`before ${secret} after`);
    for (let cut = 1; cut < bytes.length; cut++) {
      let written = '';
      const stream = redactor.stream((text) => (written += text));
      stream.write(bytes.subarray(0, cut));
      stream.write(bytes.subarray(cut));
      stream.flush();
      expect(written).toBe(`before ${MASK} after`);
    }
  });

  it('never writes half of a surrogate pair when it holds text back', () => {
    const redactor = redactorOf('some-long-secret-value');
    let written = '';
    const stream = redactor.stream((text) => {
      expect(text).not.toMatch(/[\ud800-\udbff]$/);
      written += text;
    });
    const text = `${'😀'.repeat(40)} some-long-secret-value ${'😀'.repeat(40)}`;
    for (let i = 0; i < text.length; i += 7) stream.write(text.slice(i, i + 7));
    stream.flush();
    expect(written).toBe(`${'😀'.repeat(40)} ${MASK} ${'😀'.repeat(40)}`);
  });
});

describe('finding a secret', () => {
  it('says whether a text holds a secret in any of its forms', () => {
    const redactor = redactorOf('hunter2-Tr0ub4dor');
    expect(redactor.holdsSecret('--token=hunter2-Tr0ub4dor')).toBe(true);
    expect(redactor.holdsSecret(Buffer.from('hunter2-Tr0ub4dor').toString('base64'))).toBe(true);
    expect(redactor.holdsSecret('distributed-postgres')).toBe(false);
  });
});
