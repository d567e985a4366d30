import type { Unit } from '../sdk/types.js';
import { isWrittenAsVersion, toSemver } from './version.js';

// The `expect` grammar: the HEALTHY condition on what a check observed.
//   <op> <operand>       op: < <= > >= == !=
//   in [a, b, ...]
//   =~ /regex/flags
// Operands: numbers with optional units (250ms, 4GB), versions (2.0.0, v1.2, 1.10 — see
// isWrittenAsVersion), true/false, quoted or bare strings.

export type Operand =
  | { type: 'number'; value: number; text: string; dimension?: Unit }
  | { type: 'version'; semver: string; text: string }
  | { type: 'boolean'; value: boolean; text: string }
  | { type: 'string'; value: string; text: string };

export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type Expectation =
  | { op: Comparison; operand: Operand; text: string }
  | { op: 'in'; items: Operand[]; text: string }
  | { op: 'match'; regex: RegExp; text: string };

export type ParseResult = { ok: true; expectation: Expectation } | { ok: false; message: string; hint: string };

const SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };
// Binary multiples, as PostgreSQL reads `4GB` (shared_buffers) — documented in the README.
const BYTES: Record<string, number> = { B: 1, kB: 1024, KB: 1024, KiB: 1024, MB: 1024 ** 2, MiB: 1024 ** 2, GB: 1024 ** 3, GiB: 1024 ** 3, TB: 1024 ** 4, TiB: 1024 ** 4 };
const NUMBER_WITH_UNIT = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([a-zA-Zµ]+)?$/;
const GRAMMAR_HINT = 'write e.g. "<= 0.05", ">= 150000", "< 250ms", ">= 4GB", ">= 2.0.0", "== on", "== true", "in [a, b]" or "=~ /^v1\\./"';

export function parseExpect(text: string): ParseResult {
  const source = text.trim();
  if (source.startsWith('=~')) {
    const match = /^=~\s*\/(.*)\/([a-z]*)$/.exec(source);
    if (!match) return { ok: false, message: `"${source}" is not a regex match`, hint: 'write =~ /pattern/ (flags i, m, s allowed after the closing slash)' };
    try {
      return { ok: true, expectation: { op: 'match', regex: new RegExp(match[1]!, match[2]), text: source } };
    } catch (error) {
      return { ok: false, message: `invalid regex: ${(error as Error).message}`, hint: 'check the pattern between the slashes' };
    }
  }
  if (/^in\s*\[/.test(source)) {
    const inner = /^in\s*\[(.*)\]$/.exec(source);
    if (!inner) return { ok: false, message: `"${source}" is missing its closing "]"`, hint: 'write in [a, b, c]' };
    const items = splitList(inner[1]!).map(parseOperand);
    const bad = items.find((item) => 'error' in item);
    if (bad && 'error' in bad) return { ok: false, message: bad.error, hint: GRAMMAR_HINT };
    if (!items.length) return { ok: false, message: '"in []" can never hold', hint: 'list at least one value' };
    return { ok: true, expectation: { op: 'in', items: items as Operand[], text: source } };
  }
  const comparison = /^(<=|>=|==|!=|<|>)\s*(.+)$/.exec(source);
  if (!comparison) return { ok: false, message: `"${source}" is not an expectation`, hint: GRAMMAR_HINT };
  const operand = parseOperand(comparison[2]!);
  if ('error' in operand) return { ok: false, message: operand.error, hint: GRAMMAR_HINT };
  const op = comparison[1] as Comparison;
  if ((operand.type === 'string' || operand.type === 'boolean') && op !== '==' && op !== '!=') {
    return { ok: false, message: `"${op}" cannot order ${operand.type === 'string' ? `the string "${operand.value}"` : 'booleans'}`, hint: 'use == or != for strings and booleans; numbers may carry units such as 250ms or 4GB' };
  }
  return { ok: true, expectation: { op, operand, text: source } };
}

function splitList(text: string): string[] {
  const items: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const char of text) {
    if (quote) {
      current += char;
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
      current += char;
    } else if (char === ',') {
      items.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim()) items.push(current.trim());
  return items;
}

function parseOperand(raw: string): Operand | { error: string } {
  const text = raw.trim();
  if (!text) return { error: 'an expectation needs a value after the operator' };
  if ((text.startsWith('"') && text.endsWith('"') && text.length >= 2) || (text.startsWith("'") && text.endsWith("'") && text.length >= 2)) {
    return { type: 'string', value: text.slice(1, -1), text };
  }
  if (text === 'true' || text === 'false') return { type: 'boolean', value: text === 'true', text };
  if (isWrittenAsVersion(text)) {
    const version = toSemver(text);
    if (!version) return { error: `"${text}" is written as a version but is not one (major.minor.patch, optional -pre-release and +build); to compare numbers write ${String(Number(text)) === 'NaN' ? 'a plain number' : Number(text)}` };
    return { type: 'version', semver: version, text };
  }
  const number = NUMBER_WITH_UNIT.exec(text);
  if (number) {
    const value = Number(number[1]);
    const unit = number[2];
    if (!unit) return { type: 'number', value, text };
    if (unit in SECONDS) return { type: 'number', value: value * SECONDS[unit]!, text, dimension: 'seconds' };
    if (unit in BYTES) return { type: 'number', value: value * BYTES[unit]!, text, dimension: 'bytes' };
    if (unit === '%') return { type: 'number', value: value / 100, text };
    return { error: `unknown unit "${unit}" in "${text}" (time: ms s m h d; size: B kB MB GB TB, KiB MiB GiB TiB)` };
  }
  if (/^\d+(\.\d+)?%$/.test(text)) return { type: 'number', value: Number(text.slice(0, -1)) / 100, text };
  return { type: 'string', value: text, text };
}
