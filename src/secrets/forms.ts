/**
 * The shapes one secret takes on the way out, as a regular expression: each character may
 * appear as itself, percent-encoded (any encoder, either hex case, `+` for a space),
 * JSON-escaped at any depth up to three serialisations (`\"`, `\\\"`, `\u00e9`, `\/`), or as
 * an XML/HTML entity. Matching every character in every form at once catches the mixes real
 * encoders produce (the WHATWG URL parser leaves `%` and `~` alone but encodes `/` and space).
 */

// Three nested serialisations put up to 7 backslashes before an escaped character; the
// bound keeps a match finite, so a stream knows how much to hold back.
// Exact counts, so a match never takes half of a neighbour's escape and leaves the JSON
// around it broken: each serialisation doubles the backslashes before `n` or `u00e9` (1, 2,
// 4), doubles and adds one before a quote (1, 3, 7), and doubles a backslash (1, 2, 4, 8).
const MAX_BACKSLASHES = 7;
const ESCAPE = '(?:\\\\{4}|\\\\{2}|\\\\)';
const ESCAPE_QUOTE = '(?:\\\\{7}|\\\\{3}|\\\\)';
const ESCAPE_SLASH = '\\\\{0,7}';
const BACKSLASH = '(?:\\\\{8}|\\\\{4}|\\\\{2}|\\\\)';

const SHORT_ESCAPES: Record<string, string> = { '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't', '"': '"', '/': '/' };
const ENTITIES: Record<string, string[]> = {
  '&': ['&amp;'],
  '<': ['&lt;'],
  '>': ['&gt;'],
  '"': ['&quot;'],
  "'": ['&apos;'],
};

export interface FormPattern {
  source: string;
  /** The longest text this pattern can match, in UTF-16 code units. */
  maxLength: number;
}

export function formPattern(form: string): FormPattern {
  let source = '';
  let maxLength = 0;
  for (const char of form) {
    const alternatives = characterForms(char);
    source += alternatives.length === 1 ? alternatives[0]!.source : `(?:${alternatives.map((a) => a.source).join('|')})`;
    maxLength += Math.max(...alternatives.map((a) => a.length));
  }
  return { source, maxLength };
}

// No encoder in use rewrites these (RFC 3986 unreserved, minus `~`, which forms encode):
// matching them only as themselves keeps the regular expression fast on ordinary text.
const PLAIN = /^[A-Za-z0-9_.-]$/;

function characterForms(char: string): Array<{ source: string; length: number }> {
  const forms: Array<{ source: string; length: number }> = [];
  if (PLAIN.test(char)) return [{ source: escapeRegex(char), length: 1 }];
  if (char === '\\') {
    // A backslash, escaped once, twice or three times: 1, 2, 4 or 8 of them.
    forms.push({ source: BACKSLASH, length: MAX_BACKSLASHES + 1 });
    // In an http(s) path the URL parser reads a backslash as a slash.
    forms.push({ source: '/', length: 1 });
  } else {
    forms.push({ source: escapeRegex(char), length: char.length });
  }
  const bytes = [...Buffer.from(char, 'utf8')];
  forms.push({ source: bytes.map((b) => `%${hexClass(b >> 4)}${hexClass(b & 15)}`).join(''), length: 3 * bytes.length });
  if (char === ' ') forms.push({ source: '\\+', length: 1 });
  // The URL parser drops tabs and line breaks from what it is given.
  if (char === '\t' || char === '\n' || char === '\r') forms.push({ source: '', length: 0 });
  const short = SHORT_ESCAPES[char];
  if (short) forms.push({ source: `${char === '"' ? ESCAPE_QUOTE : char === '/' ? ESCAPE_SLASH : ESCAPE}${escapeRegex(short)}`, length: MAX_BACKSLASHES + 1 });
  const units = [...Array(char.length).keys()].map((i) => char.charCodeAt(i));
  forms.push({
    source: units.map((unit) => `${ESCAPE}u${[12, 8, 4, 0].map((shift) => hexClass((unit >> shift) & 15)).join('')}`).join(''),
    length: units.length * (MAX_BACKSLASHES + 5),
  });
  const code = char.codePointAt(0)!;
  if (ENTITIES[char] || code < 0x20 || char === '\u007f') {
    for (const entity of [...(ENTITIES[char] ?? []), `&#${code};`, `&#[xX]${code.toString(16).split('').map((d) => hexClass(parseInt(d, 16))).join('')};`]) {
      forms.push({ source: entity.startsWith('&#[') ? entity : escapeRegex(entity), length: entity.replace('[xX]', 'x').length });
    }
  }
  return forms;
}

function hexClass(digit: number): string {
  const lower = digit.toString(16);
  const upper = lower.toUpperCase();
  return lower === upper ? lower : `[${lower}${upper}]`;
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** base64 of the secret as it appears inside a longer encoded text at each of 3 alignments. */
export function base64Forms(secret: string): string[] {
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
