import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { registry } from '../checks/index.js';

// ESLint's rule: every registered kind is documented, shown in use, and tested. A kind added
// without them fails here, naming what is missing.
const ROOT = join(import.meta.dirname, '..');

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path, keep));
    else if (keep(path)) found.push(path);
  }
  return found;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The kind as a whole word: `kubernetes.rollout` is not found in `kubernetes.rollout-undo`. */
const named = (kind: string) => new RegExp(`(^|[^\\w.-])${escape(kind)}(?![\\w-]|\\.\\w)`);

/** The README section whose heading names the kind, up to the next heading of its level or above. */
function sectionOf(readme: string, kind: string): string | undefined {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && named(kind).test(line));
  if (start === -1) return undefined;
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((line, i) => i > start && new RegExp(`^#{1,${level}} `).test(line));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** Every `with:` parameter of a kind, from its zod schema (unions and refinements included). */
function parameterNames(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: object; anyOf?: Array<{ properties?: object }>; oneOf?: Array<{ properties?: object }> };
  const shapes = [json, ...(json.anyOf ?? []), ...(json.oneOf ?? [])];
  return [...new Set(shapes.flatMap((shape) => Object.keys(shape.properties ?? {})))];
}

const examples = [...filesUnder(join(ROOT, 'playbooks'), (p) => /\.ya?ml$/.test(p)), ...filesUnder(join(ROOT, 'fixtures'), (p) => /\.ya?ml$/.test(p))].map((p) => readFileSync(p, 'utf8'));
const tests = filesUnder(join(ROOT, 'test'), (p) => /\.test\.ts$/.test(p) && !p.endsWith('conventions.test.ts')).map((p) => readFileSync(p, 'utf8'));
const kinds = Object.keys(registry.kinds).sort();

describe('every registered kind', () => {
  it.each(kinds)('%s has a README section documenting every parameter', async (kind) => {
    const definition = await registry.kinds[kind]!();
    const family = kind.split('.')[0]!;
    const readme = readFileSync(join(ROOT, 'checks', family, 'README.md'), 'utf8');
    const section = sectionOf(readme, kind);
    expect(section, `checks/${family}/README.md has no heading naming ${kind}`).toBeDefined();
    const undocumented = parameterNames(definition.params).filter((name) => !section!.includes(`\`${name}\``));
    expect(undocumented, `parameters of ${kind} missing from its README section`).toEqual([]);
  });

  it.each(kinds)('%s is used by an example playbook in playbooks/ or fixtures/', (kind) => {
    const uses = new RegExp(`uses:\\s*["']?${escape(kind)}["']?(?=\\s|,|}|$)`, 'm');
    expect(examples.some((text) => uses.test(text)), `no playbook says uses: ${kind}`).toBe(true);
  });

  it.each(kinds)('%s is mentioned by a test', (kind) => {
    expect(tests.some((text) => named(kind).test(text)), `no test file names ${kind}`).toBe(true);
  });

  it('a kind whose mutation depends on its parameters says when, for rollout checks', async () => {
    for (const kind of kinds) {
      const definition = await registry.kinds[kind]!();
      if (typeof definition.mutates === 'function') expect(definition.mutatesWhen, kind).toMatch(/^when /);
    }
  });
});
