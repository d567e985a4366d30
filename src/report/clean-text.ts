import stripAnsi from 'strip-ansi';

// C0 controls but tab and newline, DEL, and the C1 block: nothing a reader of a report
// should see, and a terminal would act on (BEL rings, CR rewrites the line).
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

// What XML 1.0 forbids beyond controls: U+FFFE, U+FFFF and unpaired surrogates (`u` makes a
// pair one code point, so only lone halves match \p{Cs}).
const NOT_XML_CHARS = /[\p{Cs}\uFFFE\uFFFF]/gu;

/** Check output as plain text: colour, cursor movement, hyperlinks (OSC 8), titles and BEL removed. */
export function stripTerminalControls(text: string): string {
  return stripAnsi(text).replace(CONTROL_CHARS, '');
}

/** Text an XML 1.0 parser accepts (before escaping markup). */
export function toXmlChars(text: string): string {
  return stripTerminalControls(text).replace(NOT_XML_CHARS, '');
}

/** Every string inside a JSON-like value, cleaned as `stripTerminalControls` does. */
export function stripTerminalControlsDeep<T>(value: T): T {
  if (typeof value === 'string') return stripTerminalControls(value) as T;
  if (Array.isArray(value)) return value.map((v) => stripTerminalControlsDeep(v)) as T;
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [stripTerminalControls(k), stripTerminalControlsDeep(v)])) as T;
  }
  return value;
}

/**
 * JSON whose file bytes hold no control character: JSON.stringify already escapes C0, this
 * escapes DEL and C1 (the 8-bit CSI a terminal would act on) too. The data is unchanged.
 */
export function escapeControlsInJson(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
