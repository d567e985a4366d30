import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEvidenceStore } from '../../src/evidence/open-store.js';
import { evidenceAccess, promoteRecord, readEvidence } from '../../src/evidence/read-back.js';
import type { EvidenceStore } from '../../src/evidence/store.js';
import { verifyStore } from '../../src/evidence/verify.js';
import { appendEvidence, composeEvidence } from '../../src/evidence/write.js';
import { META, runResult } from '../evidence/run-result.js';
import { bareRepository, cacheHome } from './git-repo.js';

const options = (spoolDir: string) => ({ redact: (text: string) => text, meta: META, spoolDir });

/** Two openings of one store, as two machines (two caches) would have. */
const STORES: Array<[string, () => { open(): EvidenceStore }]> = [
  ['file:DIR', () => {
    const spec = `file:${mkdtempSync(join(tmpdir(), 'rollout-store-file-'))}`;
    return { open: () => (openEvidenceStore(spec) as { store: EvidenceStore }).store };
  }],
  ['git+file://…#branch', () => {
    const { spec } = bareRepository();
    return { open: () => (openEvidenceStore(spec, cacheHome()) as { store: EvidenceStore }).store };
  }],
];

describe.each(STORES)('every reader through the %s store', (_kind, makeStore) => {
  it('reads back newest written first, only the playbook named inside the file, and the chain verifies', () => {
    const where = makeStore();
    const spool = mkdtempSync(join(tmpdir(), 'rollout-store-spool-'));
    const store = where.open();
    // The second run started a minute earlier (a slow run, or a wrong clock) but was written last.
    const first = appendEvidence(store, runResult('api', '2026-11-29T10:01:00.000Z'), options(spool));
    const drill = appendEvidence(where.open(), runResult('api-rollback-drill', '2026-11-29T10:02:00.000Z'), options(spool));
    const second = appendEvidence(where.open(), runResult('api', '2026-11-29T10:00:00.000Z', { verdict: 'fail', exitCode: 1 }), options(spool));
    expect([first, drill, second].map((w) => w.ok && 'written')).toEqual(['written', 'written', 'written']);
    const reader = where.open();
    const api = readEvidence(reader, 'production', 'api');
    expect(api.map((e) => [e.file, e.verdict, e.verified])).toEqual([
      [second.ok && second.path, 'fail', true],
      [first.ok && first.path, 'pass', true],
    ]);
    expect(api[0]!.report?.previous?.fileName).toBe(first.ok && first.path.split(/[/:]/).pop());
    expect(readEvidence(reader, 'production', 'api-rollback-drill')).toHaveLength(1);
    expect(evidenceAccess(reader, 'api').list('production').map((e) => e.verdict)).toEqual(['fail', 'pass']);
    expect(reader.environments()).toEqual(['production']);
    expect(verifyStore(reader)).toEqual({ checked: 3, problems: [] });
    expect(readdirSync(spool)).toEqual([]);
  });

  it("gives ${nodes.X} the values of the newest promote in which the node passed", () => {
    const where = makeStore();
    const spool = mkdtempSync(join(tmpdir(), 'rollout-store-spool-'));
    appendEvidence(where.open(), runResult('api', '2026-11-29T10:00:00.000Z'), options(spool));
    const later = runResult('api', '2026-11-29T11:00:00.000Z');
    later.nodes[0]!.outputs = { image: 'registry.example/api:1.5.0' };
    appendEvidence(where.open(), later, options(spool));
    const record = promoteRecord(where.open(), 'production', 'api');
    expect(record.external('deploy')?.outputs).toEqual({ image: 'registry.example/api:1.5.0' });
    expect(record.done('deploy')).toBe(true);
    expect(promoteRecord(where.open(), 'staging', 'api').external('deploy')).toBeUndefined();
  });

  it('stores a companion file beside the evidence file, in the same write', () => {
    const where = makeStore();
    const result = runResult('api', '2026-11-29T10:00:00.000Z');
    const stored = where.open().append('production', 'api', (tip, attempt) => {
      const composed = composeEvidence(result, options(''), tip, attempt);
      return { ...composed, companions: [{ name: `${composed.name}.intoto.jsonl`, text: '{"payloadType":"x"}\n' }] };
    });
    expect(stored.ok).toBe(true);
    const reader = where.open();
    const name = reader.names('production')[0]!;
    expect(reader.names('production')).toEqual([name]);
    expect(reader.read('production', `${name}.intoto.jsonl`)?.toString()).toBe('{"payloadType":"x"}\n');
  });
});
