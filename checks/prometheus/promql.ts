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
  const tree = loadParser().parse(query);
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
