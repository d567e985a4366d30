// A small JSONPath: `$`, `.name`, `['name']`, `[0]`, `[*]`. Enough to point at a field of a
// health or version document; filters and recursive descent are deliberately absent.

export type PathStep = { key: string } | { index: number } | { all: true };

const STEP = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[\*\]|\['([^']*)'\]|\["([^"]*)"\]/y;

/** The syntax accepted after `json:`; also used by the kind's `observe` pattern. */
export const JSON_PATH_SOURCE = String.raw`\$(?:\.[A-Za-z_$][\w$-]*|\[(?:\d+|\*|'[^']*'|"[^"]*")\])*`;

export function parseJsonPath(path: string): PathStep[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps: PathStep[] = [];
  STEP.lastIndex = 1;
  while (STEP.lastIndex < path.length) {
    const start = STEP.lastIndex;
    const match = STEP.exec(path);
    if (!match || match.index !== start) return undefined;
    if (match[1] !== undefined) steps.push({ key: match[1] });
    else if (match[2] !== undefined) steps.push({ index: Number(match[2]) });
    else if (match[3] !== undefined) steps.push({ key: match[3] });
    else if (match[4] !== undefined) steps.push({ key: match[4] });
    else steps.push({ all: true });
  }
  return steps;
}

export interface Selected {
  /** Where the value sits, e.g. `$.checks[2].status`. */
  at: string;
  value: unknown;
}

/** Every value the path selects (more than one only through `[*]`); missing keys select nothing. */
export function selectJsonPath(document: unknown, steps: PathStep[]): Selected[] {
  let current: Selected[] = [{ at: '$', value: document }];
  for (const step of steps) {
    const next: Selected[] = [];
    for (const { at, value } of current) {
      if ('all' in step) {
        if (Array.isArray(value)) value.forEach((item, i) => next.push({ at: `${at}[${i}]`, value: item }));
        else if (isObject(value)) for (const [key, item] of Object.entries(value)) next.push({ at: `${at}.${key}`, value: item });
      } else if ('index' in step) {
        if (Array.isArray(value) && step.index < value.length) next.push({ at: `${at}[${step.index}]`, value: value[step.index] });
      } else if (isObject(value) && Object.hasOwn(value, step.key)) {
        next.push({ at: `${at}.${step.key}`, value: value[step.key] });
      }
    }
    current = next;
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
