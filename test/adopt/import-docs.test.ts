import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/runbook/index.js';
import { BLOCK_PLACES, PROCEDURE_RULES } from '../../src/runbook/procedure.js';
import { TRIGGER_RULES } from '../../src/runbook/triggers.js';

const DOC = readFileSync(new URL('../../docs/import-rules.md', import.meta.url), 'utf8');

describe('docs/import-rules.md', () => {
  it('has a row for every mapping rule, trigger rule, block place and procedure step rule, in the order they are asked', () => {
    const named = (names: string[]) => names.map((name) => DOC.indexOf(`\n| ${name} | `));
    for (const names of [RULES.map((r) => r.name), TRIGGER_RULES.map((r) => r.name), BLOCK_PLACES.map((p) => p.name), PROCEDURE_RULES.map((r) => r.name)]) {
      const at = named(names);
      expect(at.filter((i) => i < 0), names.filter((_, k) => at[k]! < 0).join(', ')).toEqual([]);
    }
    for (const names of [RULES.map((r) => r.name), BLOCK_PLACES.map((p) => p.name), PROCEDURE_RULES.map((r) => r.name)]) {
      const at = named(names);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
    }
  });
});
