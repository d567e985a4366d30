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
