// Values: ${vars.NAME}, ${env:NAME}, ${secret:NAME}, ${matrix.NAME}, ${nodes.ID.observed},
// ${nodes.ID.outputs.NAME}. A reference that is the whole string keeps its type.

export const REFERENCE = /\$\{([^}]*)\}/g;

export type Reference =
  | { type: 'vars'; name: string }
  | { type: 'env'; name: string }
  | { type: 'secret'; name: string }
  | { type: 'matrix'; name: string }
  | { type: 'node'; id: string; field: 'observed' | 'outputs'; path: string[] };

export function parseReference(body: string): Reference | { error: string } {
  const text = body.trim();
  let match: RegExpExecArray | null;
  if ((match = /^vars\.([A-Za-z0-9_-]+)$/.exec(text))) return { type: 'vars', name: match[1]! };
  if ((match = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(text))) return { type: 'env', name: match[1]! };
  if ((match = /^secret:([A-Za-z_][A-Za-z0-9_]*)$/.exec(text))) return { type: 'secret', name: match[1]! };
  if ((match = /^matrix\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(text))) return { type: 'matrix', name: match[1]! };
  if ((match = /^nodes\.([a-z0-9][a-z0-9_-]*)\.observed$/.exec(text))) return { type: 'node', id: match[1]!, field: 'observed', path: [] };
  if ((match = /^nodes\.([a-z0-9][a-z0-9_-]*)\.outputs\.([A-Za-z0-9_.-]+)$/.exec(text))) {
    return { type: 'node', id: match[1]!, field: 'outputs', path: match[2]!.split('.') };
  }
  return { error: `"\${${text}}" is not a reference` };
}

export const REFERENCE_HINT = 'use ${vars.NAME}, ${env:NAME}, ${secret:NAME}, ${matrix.NAME}, ${nodes.ID.observed} or ${nodes.ID.outputs.NAME}';

/** Every reference in a value, with the path inside the value where it stands. */
export function findReferences(value: unknown, path: Array<string | number> = []): Array<{ path: Array<string | number>; body: string }> {
  const found: Array<{ path: Array<string | number>; body: string }> = [];
  const walk = (current: unknown, at: Array<string | number>) => {
    if (typeof current === 'string') {
      for (const match of current.matchAll(REFERENCE)) found.push({ path: at, body: match[1]! });
    } else if (Array.isArray(current)) current.forEach((item, index) => walk(item, [...at, index]));
    else if (current && typeof current === 'object') for (const [key, item] of Object.entries(current)) walk(item, [...at, key]);
  };
  walk(value, path);
  return found;
}

export type Lookup = (reference: Reference, body: string) => { value: unknown } | { defer: true } | { error: string };

export interface Substitution {
  value: unknown;
  errors: Array<{ path: Array<string | number>; message: string }>;
  /** True when a ${nodes...} reference is left for the run to fill in. */
  deferred: boolean;
}

/**
 * Replaces references through `lookup`. A deferred reference stays as written so a later
 * pass (the run, with node results) can fill it in.
 */
export function substitute(value: unknown, lookup: Lookup, path: Array<string | number> = []): Substitution {
  const errors: Substitution['errors'] = [];
  let deferred = false;
  const replaceString = (text: string, at: Array<string | number>): unknown => {
    const whole = /^\$\{([^}]*)\}$/.exec(text);
    const resolveBody = (body: string): { value: unknown } | { defer: true } | { error: string } => {
      const reference = parseReference(body);
      if ('error' in reference) return reference;
      return lookup(reference, body);
    };
    if (whole) {
      const outcome = resolveBody(whole[1]!);
      if ('error' in outcome) {
        errors.push({ path: at, message: outcome.error });
        return text;
      }
      if ('defer' in outcome) {
        deferred = true;
        return text;
      }
      return outcome.value;
    }
    return text.replace(REFERENCE, (all, body: string) => {
      const outcome = resolveBody(body);
      if ('error' in outcome) {
        errors.push({ path: at, message: outcome.error });
        return all;
      }
      if ('defer' in outcome) {
        deferred = true;
        return all;
      }
      return typeof outcome.value === 'string' ? outcome.value : JSON.stringify(outcome.value);
    });
  };
  // One path, pushed and popped, copied only for an error: a 1,000-node plan walks every
  // value of every node, and a new array per value was most of the walk.
  const at = [...path];
  const walk = (current: unknown): unknown => {
    if (typeof current === 'string') return current.includes('${') ? replaceString(current, [...at]) : current;
    if (Array.isArray(current)) {
      return current.map((item, index) => {
        at.push(index);
        const replaced = walk(item);
        at.pop();
        return replaced;
      });
    }
    if (current && typeof current === 'object') {
      return Object.fromEntries(
        Object.entries(current).map(([key, item]) => {
          at.push(key);
          const replaced = walk(item);
          at.pop();
          return [key, replaced];
        }),
      );
    }
    return current;
  };
  const result = walk(value);
  return { value: result, errors, deferred };
}
