import type { Observed, Scalar, Unit } from '../sdk/types.js';
import type { Comparison, Expectation, Operand } from './parse.js';
import { show } from './show.js';
import { compareSemver, observedVersion, toSemver } from './version.js';

export interface Judgement {
  status: 'pass' | 'fail' | 'error';
  message: string;
  /** The elements that did not meet `expect`, for a list observation. */
  offenders?: string[];
}

export interface JudgeOptions {
  unit?: Unit;
  quantifier?: 'all' | 'any';
  /** The kind observes versions: `>= 15` compares as a version too. */
  versions?: boolean;
  onEmpty?: 'pass' | 'fail';
}

/** Judges an observation against an expectation. Empty, NaN and ±Inf are `error` (fail closed). */
export function judge(expectation: Expectation, observed: Observed, options: JudgeOptions = {}): Judgement {
  if (observed === null || (Array.isArray(observed) && observed.length === 0)) {
    if (options.onEmpty) return { status: options.onEmpty, message: `no data (onEmpty: ${options.onEmpty})` };
    return { status: 'error', message: 'no data: the observation was empty', };
  }
  if (Array.isArray(observed)) {
    const verdicts = observed.map((element) => ({ element, result: judgeScalar(expectation, element.value, options) }));
    const errored = verdicts.find((v) => v.result.status === 'error');
    if (errored) return { status: 'error', message: `${errored.element.name}: ${errored.result.message}` };
    const offenders = verdicts.filter((v) => v.result.status === 'fail').map((v) => `${v.element.name} = ${show(v.element.value)}`);
    const quantifier = options.quantifier ?? 'all';
    const passed = quantifier === 'all' ? offenders.length === 0 : offenders.length < verdicts.length;
    if (passed) return { status: 'pass', message: `${quantifier === 'all' ? 'all' : 'at least one of'} ${verdicts.length} met ${expectation.text}` };
    return {
      status: 'fail',
      message: `${offenders.length} of ${verdicts.length} did not meet ${expectation.text}: ${offenders.slice(0, 5).join('; ')}${offenders.length > 5 ? ` (+${offenders.length - 5} more)` : ''}`,
      offenders,
    };
  }
  return judgeScalar(expectation, observed, options);
}

function judgeScalar(expectation: Expectation, value: Scalar | null, options: JudgeOptions): Judgement {
  if (value === null) {
    if (options.onEmpty) return { status: options.onEmpty, message: `no data (onEmpty: ${options.onEmpty})` };
    return { status: 'error', message: 'no data: the observation was empty' };
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return { status: 'error', message: `observed ${value}: not a number to judge` };
  if (expectation.op === 'match') {
    const ok = expectation.regex.test(String(value));
    return verdict(ok, value, expectation.text);
  }
  const operands = expectation.op === 'in' ? expectation.items : [expectation.operand];
  const op: Comparison = expectation.op === 'in' ? '==' : expectation.op;
  let anyHeld = false;
  for (const operand of operands) {
    const outcome = compare(value, op, operand, options);
    if (typeof outcome === 'string') return { status: 'error', message: outcome };
    if (outcome) anyHeld = true;
  }
  return verdict(anyHeld, value, expectation.text);
}

function verdict(ok: boolean, value: Scalar, expected: string): Judgement {
  return ok ? { status: 'pass', message: `observed ${show(value)}, expected ${expected}` } : { status: 'fail', message: `observed ${show(value)}, expected ${expected}` };
}

/** true/false, or a message when the two cannot be compared (→ `error`). */
function compare(value: Scalar, op: Comparison, operand: Operand, options: JudgeOptions): boolean | string {
  switch (operand.type) {
    case 'number': {
      if (operand.dimension && options.unit && operand.dimension !== options.unit) {
        return `"${operand.text}" is in ${operand.dimension} but this check observes ${options.unit}`;
      }
      if (options.versions && !operand.dimension) {
        const wanted = toSemver(operand.text);
        if (!wanted) return `"${operand.text}" is not a version to compare with`;
        return compareVersions(value, op, wanted, operand.text, options);
      }
      const number = toNumber(value);
      if (number === undefined) return `observed ${show(value)}, which is not a number, so "${op} ${operand.text}" cannot be judged`;
      if (!Number.isFinite(number)) return `observed ${value}: not a number to judge`;
      return order(number - operand.value, op);
    }
    case 'version':
      return compareVersions(value, op, operand.semver, operand.text, options);
    case 'boolean': {
      const bool = typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : undefined;
      if (bool === undefined) return `observed ${show(value)}, which is not true or false`;
      return op === '==' ? bool === operand.value : bool !== operand.value;
    }
    case 'string': {
      const same = String(value) === operand.value;
      return op === '==' ? same : !same;
    }
  }
}

function toNumber(value: Scalar): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(value)) return Number(value);
  if (typeof value === 'string' && /^\s*[-+]?(inf|nan)\s*$/i.test(value)) return NaN;
  return undefined;
}

function compareVersions(value: Scalar, op: Comparison, wanted: string, text: string, options: JudgeOptions): boolean | string {
  // A number observed by a kind that does not observe versions is a quantity, not a version.
  if (typeof value === 'boolean' || (typeof value === 'number' && !options.versions)) {
    return `observed ${show(value)}, which is not a version, so "${op} ${text}" (a version) cannot be judged`;
  }
  const have = observedVersion(String(value));
  if (!have) return `observed ${show(value)}, which is not a version, so "${op} ${text}" cannot be judged`;
  return order(compareSemver(have, wanted), op);
}

function order(difference: number, op: Comparison): boolean {
  switch (op) {
    case '<': return difference < 0;
    case '<=': return difference <= 0;
    case '>': return difference > 0;
    case '>=': return difference >= 0;
    case '==': return difference === 0;
    case '!=': return difference !== 0;
  }
}
