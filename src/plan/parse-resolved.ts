import type { CheckDefinition } from '../sdk/types.js';

/**
 * A whole-string reference keeps its type (${matrix.weight} is 25), but a field that takes
 * text (an argv) then gets a number. Where a reference, not a literal, put a number or a
 * boolean into a string field, use its text; an unquoted literal stays an error.
 */
export function parseResolved(definition: CheckDefinition, raw: Record<string, unknown>, resolved: Record<string, unknown>) {
  const first = definition.params.safeParse(resolved);
  if (first.success) return first;
  let changed = false;
  const copy = structuredClone(resolved);
  for (const issue of first.error.issues) {
    if (issue.code !== 'invalid_type' || issue.expected !== 'string') continue;
    const path = issue.path as Array<string | number>;
    const source = dig(raw, path);
    const parent = dig(copy, path.slice(0, -1)) as Record<string | number, unknown> | undefined;
    const value = parent?.[path[path.length - 1]!];
    if (typeof source === 'string' && source.includes('${') && parent && (typeof value === 'number' || typeof value === 'boolean')) {
      parent[path[path.length - 1]!] = String(value);
      changed = true;
    }
  }
  return changed ? definition.params.safeParse(copy) : first;
}

export function dig(value: unknown, path: Array<string | number>): unknown {
  let current = value;
  for (const part of path) current = current && typeof current === 'object' ? (current as Record<string | number, unknown>)[part] : undefined;
  return current;
}
