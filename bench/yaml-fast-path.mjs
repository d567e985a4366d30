#!/usr/bin/env node
// The loader's fast path (src/playbook/load.ts) reads valid playbooks with js-yaml's YAML 1.2
// core schema instead of `yaml`. This checks that both give the same data for every scalar
// form and for every YAML file in the repository, and times both on the benchmark playbooks.
//
//   node bench/yaml-fast-path.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePlaybook } from './realistic-playbook.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const yaml = require('yaml');
const jsyaml = require('js-yaml');

const slow = (source) => {
  const doc = yaml.parseDocument(source, { version: '1.2', schema: 'core', uniqueKeys: true, merge: false });
  return doc.errors.length ? { error: doc.errors[0].message.split('\n')[0] } : { data: doc.toJS({ maxAliasCount: 100 }) };
};
const fast = (source) => {
  try {
    return { data: jsyaml.load(source, { schema: jsyaml.CORE_SCHEMA }) };
  } catch (error) {
    return { error: error.message.split('\n')[0] };
  }
};

const scalars = [
  '1', '-0', '+1', '0o17', '017', '0x1F', '0X1f', '0b101', '1_000', '1.10', '0.05', '.5', '1.', '1e3', '1E+3', '-1.5e-3', '+12.5',
  '.inf', '-.Inf', '+.INF', '.NaN', '.nan', 'true', 'True', 'TRUE', 'tRue', 'false', 'FALSE', 'yes', 'on', 'No', 'off', 'y',
  '~', 'null', 'Null', 'NULL', 'nULL', '', '1:20', '2026-01-01', '2026-01-15T08:08:00Z', '"1"', "'x'", "'it''s'", '"\\x41\\u00e9"',
  '=', '<<', '12e', '0xG', '-0x1', '"${env:X}"', '${secret:TOKEN}', '">= 2.3.0"', '<= 0.05', '== on', '250ms', '4GB', 'x # c', 'x#c',
];
let mismatches = 0;
const compare = (label, source) => {
  const a = slow(source);
  const b = fast(source);
  // The fast path only keeps what js-yaml accepts; anything else goes through `yaml` unchanged.
  if (b.error) return 'fallback';
  if (a.error) {
    mismatches++;
    console.log(`MISMATCH ${label}: yaml refuses (${a.error}), js-yaml accepts`);
    return 'mismatch';
  }
  if (!isDeepStrictEqual(a.data, b.data)) {
    mismatches++;
    console.log(`MISMATCH ${label}: yaml ${JSON.stringify(a.data)} js-yaml ${JSON.stringify(b.data)}`);
    return 'mismatch';
  }
  return 'same';
};
const tally = {};
const count = (outcome) => (tally[outcome] = (tally[outcome] ?? 0) + 1);
for (const s of scalars) for (const source of [`a: ${s}\n`, `- ${s}\n`, `{ a: [${s || '""'}] }\n`]) count(compare(JSON.stringify(source), source));
const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
for (const file of files) count(compare(file, readFileSync(join(root, file), 'utf8')));
console.log(`${scalars.length} scalar forms × 3 contexts and ${files.length} repository YAML files:`, tally, mismatches ? `— ${mismatches} MISMATCHES` : '— no mismatch');

for (const n of [150, 1000]) {
  const source = generatePlaybook(n);
  const time = (f) => {
    const t0 = performance.now();
    f(source);
    return performance.now() - t0;
  };
  // First call = cold code, as in a CLI start; then warm.
  console.log(`${n}-node playbook (${Math.round(source.length / 1024)} KB): yaml ${time(slow).toFixed(0)} ms cold / ${time(slow).toFixed(0)} ms warm; js-yaml ${time(fast).toFixed(0)} ms cold / ${time(fast).toFixed(0)} ms warm (same process, yaml first)`);
}
process.exitCode = mismatches ? 1 : 0;
