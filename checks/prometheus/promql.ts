import { createRequire } from 'node:module';

type PromqlModule = typeof import('@prometheus-io/lezer-promql');

let promql: PromqlModule | undefined;

/**
 * The PromQL grammar loads on the first `validate`, not at start-up. `validate` is
 * synchronous, hence require() of the package's CommonJS build rather than import().
 */
function loadParser(): PromqlModule['parser'] {
  promql ??= createRequire(import.meta.url)('@prometheus-io/lezer-promql') as PromqlModule;
  return promql.parser;
}

type Tree = ReturnType<PromqlModule['parser']['parse']>;
const parsed = new Map<string, Tree>();

/**
 * One parse per distinct query: validate asks for the syntax error and for masked no-data
 * of the same text (three parses before — most of `validate`'s time on big playbooks).
 */
function parseOnce(query: string): Tree {
  let tree = parsed.get(query);
  if (!tree) {
    if (parsed.size >= 2000) parsed.clear();
    tree = loadParser().parse(query);
    parsed.set(query, tree);
  }
  return tree;
}

export interface SyntaxProblem {
  offset: number;
  message: string;
}

/**
 * The first PromQL syntax error, with its line and column inside the query. The grammar is
 * the one Prometheus' own UI uses; semantic errors (a function given the wrong type) are
 * left to the server, which rejects them with its own message at run time.
 */
export function findSyntaxError(query: string): SyntaxProblem | undefined {
  if (query.trim() === '') return { offset: 0, message: 'the query is empty' };
  const tree = parseOnce(query);
  let offset: number | undefined;
  tree.iterate({
    enter(node) {
      if (offset !== undefined) return false;
      if (node.type.isError) offset = node.from;
      return undefined;
    },
  });
  if (offset === undefined) return undefined;
  const before = query.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const rest = query.slice(offset).trimStart();
  const found = rest === '' ? 'end of the query' : `"${/^\S+/.exec(rest)![0].slice(0, 20)}"`;
  const hint = unclosed(query);
  return { offset, message: `PromQL syntax error at line ${line}, column ${column}: unexpected ${found}${hint ? ` (${hint})` : ''}` };
}

/** Names the bracket left open, the most common cause of a parse error at the end. */
function unclosed(query: string): string | undefined {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let quote: string | undefined;
  for (let i = 0; i < query.length; i++) {
    const char = query[i]!;
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'" || char === '`') quote = char;
    else if (char === '(' || char === '[' || char === '{') stack.push(char);
    else if (pairs[char]) {
      if (stack.pop() !== pairs[char]) return `an unmatched "${char}"`;
    }
  }
  if (quote) return `an unterminated string`;
  return stack.length ? `an unclosed "${stack[stack.length - 1]}"` : undefined;
}

export interface MaskingProblem {
  offset: number;
  message: string;
  hint: string;
}

const MASKING_HINT = 'remove it and say `onEmpty: pass` (or `fail`) on the node: no data is then a decision you can see, not a silent 0';

/**
 * PromQL that turns "no data" into a healthy number: `or vector(0)`, `or on() vector(0)`,
 * `or absent(...)`, `absent(...) * 0`. Found in the parsed query (any spacing, case or
 * parentheses), not by matching text, and reported at the operator's line and column.
 */
export function findMaskedNoData(query: string): MaskingProblem | undefined {
  if (findSyntaxError(query)) return undefined;
  const tree = parseOnce(query);
  let found: MaskingProblem | undefined;
  tree.iterate({
    enter(ref) {
      if (found) return false;
      if (ref.name !== 'BinaryExpr') return undefined;
      const parts: SyntaxNode[] = [];
      for (let child = ref.node.firstChild; child; child = child.nextSibling) parts.push(child);
      const operator = parts.find((p) => p.name === 'Or' || p.name === 'Mul');
      const operands = parts.filter((p) => p !== operator && p.name !== 'MatchingModifierClause' && p.name !== 'BoolModifier');
      if (!operator || operands.length !== 2) return undefined;
      const [left, right] = operands.map(unwrap) as [SyntaxNode, SyntaxNode];
      const text = (node: SyntaxNode) => query.slice(node.from, node.to);
      let what: string | undefined;
      if (operator.name === 'Or' && functionName(right) === 'Vector' && isNumber(argumentOf(right))) what = `"or ${text(right)}"`;
      else if (operator.name === 'Or' && (functionName(right) === 'Absent' || functionName(right) === 'AbsentOverTime')) what = `"or ${text(right).split('(')[0]!.trim().toLowerCase()}(...)"`;
      else if (operator.name === 'Mul' && isAbsent(left) && isZero(right, query)) what = `"absent(...) * ${text(right)}"`;
      else if (operator.name === 'Mul' && isAbsent(right) && isZero(left, query)) what = `"${text(left)} * absent(...)"`;
      if (!what) return undefined;
      const before = query.slice(0, operator.from);
      const line = before.split('\n').length;
      const column = operator.from - before.lastIndexOf('\n');
      found = { offset: operator.from, message: `${what} at line ${line}, column ${column} turns missing data into a value that passes`, hint: MASKING_HINT };
      return false;
    },
  });
  return found;
}

type SyntaxNode = NonNullable<ReturnType<ReturnType<PromqlModule['parser']['parse']>['topNode']['getChild']>>;

function unwrap(node: SyntaxNode): SyntaxNode {
  let current = node;
  while (current.name === 'ParenExpr' && current.firstChild) {
    let inner: SyntaxNode | null = current.firstChild;
    while (inner && (inner.name === '(' || inner.name === ')')) inner = inner.nextSibling;
    if (!inner) break;
    current = inner;
  }
  return current;
}

function functionName(node: SyntaxNode): string | undefined {
  if (node.name !== 'FunctionCall') return undefined;
  return node.getChild('FunctionIdentifier')?.firstChild?.name;
}

function argumentOf(node: SyntaxNode): SyntaxNode | undefined {
  const body = node.getChild('FunctionCallBody');
  const first = body?.firstChild;
  return first ? unwrap(first) : undefined;
}

function isNumber(node: SyntaxNode | undefined): boolean {
  return node?.name === 'NumberDurationLiteral' || node?.name === 'NumberLiteral' || node?.name === 'UnaryExpr';
}

function isAbsent(node: SyntaxNode): boolean {
  const name = functionName(node);
  return name === 'Absent' || name === 'AbsentOverTime';
}

function isZero(node: SyntaxNode, query: string): boolean {
  return isNumber(node) && Number(query.slice(node.from, node.to).replace(/\s+/g, '')) === 0;
}

export const BROWSER_HINT = 'the same query in Prometheus\' expression browser shows the error too';

/** `validate` problems of one PromQL field: its syntax, then no-data masking. */
export function checkQuery(query: string, path: string[], syntaxHint?: string): Array<{ path: string[]; message: string; hint?: string }> {
  const syntax = findSyntaxError(query);
  if (syntax) return [{ path, message: syntax.message, ...(syntaxHint ? { hint: syntaxHint } : {}) }];
  const masking = findMaskedNoData(query);
  return masking ? [{ path, message: masking.message, hint: masking.hint }] : [];
}
