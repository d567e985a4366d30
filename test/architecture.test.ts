import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Data flows one way: a module imports only from stages before its own (STYLE.md). */
const STAGE: Record<string, number> = { sdk: 0, secrets: 0, identity: 0, runbook: 0, slo: 0, expect: 1, playbook: 2, plan: 3, run: 4, report: 5, lock: 6, evidence: 7, site: 8, session: 8, serve: 9, cli: 10 };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import of a file, type-only and dynamic ones included, resolved to a .ts path. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
}

const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'checks'))];
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => relative(ROOT, f);
const area = (f: string) => rel(f).split('/').slice(0, 2);

describe('the import direction holds', () => {
  it('every module under src/ imports only from its own stage or an earlier one', () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      const [top, dir] = area(file);
      if (top !== 'src') continue;
      const own = STAGE[dir!];
      expect(own, `src/${dir} has no stage in the architecture test: give it one`).toBeDefined();
      for (const target of imports) {
        const [targetTop, targetDir] = area(target);
        // The registry of kinds is the composition root's to load (session; cli lists kinds).
        if (targetTop === 'checks') {
          if (rel(target) !== 'checks/index.ts' || own! < STAGE.session!) violations.push(`${rel(file)} → ${rel(target)}`);
          continue;
        }
        if (targetDir === dir) continue;
        if (STAGE[targetDir!]! >= own!) violations.push(`${rel(file)} (${dir}) → ${rel(target)} (${targetDir})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('check modules import only the SDK (and files of their own families)', () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      if (area(file)[0] !== 'checks') continue;
      for (const target of imports) {
        const [top, dir] = area(target);
        if (top === 'checks' || (top === 'src' && dir === 'sdk')) continue;
        violations.push(`${rel(file)} → ${rel(target)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('there are no import cycles, type-only imports included', () => {
    // Tarjan's strongly connected components: any component with more than one file is a cycle.
    let index = 0;
    const indices = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      indices.set(v, index);
      low.set(v, index++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!indices.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
      if (low.get(v) === indices.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(rel(w));
        } while (w !== v);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const file of graph.keys()) if (!indices.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
