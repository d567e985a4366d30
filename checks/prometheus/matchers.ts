import type { Labels } from './series.js';

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  /** The matcher as PromQL and Alertmanager both write it: `severity=~"critical|page"`. */
  text: string;
}

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([\w.:/@+-]*))\s*$/;

/** `alertname="HighErrorRate"`, `severity=~"critical|page"`, `team!=db`; a message when malformed. */
export function parseMatcher(text: string): Matcher | string {
  const match = MATCHER.exec(text);
  if (!match) return `"${text}" is not a matcher: write label="value", label!="value", label=~"regex" or label!~"regex"`;
  const [, label, op, quoted, bare] = match;
  const value = quoted !== undefined ? (JSON.parse(`"${quoted}"`) as string) : bare!;
  if (op === '=~' || op === '!~') {
    try {
      new RegExp(value);
    } catch (error) {
      return `"${text}": invalid regular expression: ${(error as Error).message}`;
    }
  }
  return { label: label!, op: op as Matcher['op'], value, text: `${label}${op}${JSON.stringify(value)}` };
}

/** Prometheus anchors label regexes: `=~"crit"` does not match `critical`. */
export function matches(labels: Labels, matcher: Matcher): boolean {
  const actual = labels[matcher.label] ?? '';
  switch (matcher.op) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
      return new RegExp(`^(?:${matcher.value})$`).test(actual);
    case '!~':
      return !new RegExp(`^(?:${matcher.value})$`).test(actual);
  }
}
