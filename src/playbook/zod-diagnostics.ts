import type { z } from 'zod';
import { didYouMean, type Diagnostic, type Path } from './diagnostics.js';
import type { LoadedDocument } from './load.js';
import { knownKeys } from './schema.js';

// zod's issues, said as a playbook author reads them: where, what, and what to write instead.

export function holdsReference(value: unknown, path: Path): boolean {
  let current: unknown = value;
  for (const part of path) {
    if (typeof current === 'string') break;
    if (!current || typeof current !== 'object') return false;
    current = (current as Record<string | number, unknown>)[part];
  }
  return typeof current === 'string' && current.includes('${');
}

export function shapeKeys(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** The keys allowed at a path of the playbook document. */
export function keysFor(path: Path): string[] {
  if (path.length === 0) return knownKeys.top;
  if (path[0] === 'defaults') return knownKeys.defaults;
  if (path[0] === 'rollback' && path.length === 1) return knownKeys.rollback;
  if (path[0] === 'stages' && path.length === 2) return knownKeys.stage;
  return knownKeys.node;
}

export function zodDiagnostics(doc: LoadedDocument, base: Path, issues: z.core.$ZodIssue[], keys: (path: Path) => string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as Array<string | number>)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const guess = didYouMean(key, keys(issue.path as Path));
        out.push(doc.diagnostic('unknown-key', path, `unknown key "${key}"`, guess ? `did you mean "${guess}"?` : `allowed here: ${keys(issue.path as Path).join(', ')}`, key));
      }
      continue;
    }
    if (issue.code === 'invalid_union') {
      const nested = issue.errors.flat();
      if (nested.length) {
        out.push(...zodDiagnostics(doc, base, [nested[0]!].map((n) => ({ ...n, path: [...issue.path, ...n.path] })) as z.core.$ZodIssue[], keys));
        continue;
      }
    }
    const actual = valueAt(doc.data, path);
    if (issue.code === 'invalid_type' && actual === undefined) {
      out.push(doc.diagnostic('missing-field', path, `missing ${String(path[path.length - 1])}`, `${issue.message.replace(/^Invalid input: /, '')}`));
      continue;
    }
    if (issue.code === 'invalid_type' && issue.expected === 'string' && (typeof actual === 'number' || typeof actual === 'boolean')) {
      const text = doc.sourceText(path) ?? String(actual);
      out.push(doc.diagnostic('unquoted-scalar', path, `expected a string, found the ${typeof actual} ${text}`, `quote it: "${text}" (YAML reads unquoted ${text} as a ${typeof actual})`));
      continue;
    }
    const hint = issue.code === 'invalid_value' && 'values' in issue ? `one of: ${(issue.values as unknown[]).map(String).join(', ')}` : undefined;
    out.push(doc.diagnostic(issueId(issue), path, issue.message.replace(/^Invalid input: /, ''), hint));
  }
  return out;
}

export function valueAt(data: unknown, path: Path): unknown {
  let current = data;
  for (const part of path) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

/** A custom issue names its own id (`not-a-duration`); zod's own codes map to ours. */
export function issueId(issue: z.core.$ZodIssue, fallback = 'invalid-value'): string {
  if (issue.code === 'custom' && typeof issue.params?.id === 'string') return issue.params.id;
  if (issue.code === 'invalid_value') return 'not-allowed-value';
  if (issue.code === 'invalid_type') return 'wrong-type';
  return fallback;
}
