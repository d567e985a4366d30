import { describe, expect, it } from 'vitest';
import { orderChain, type StoredEvidence } from '../../src/evidence/chain.js';

/** A file that verifies, named `name`, whose content hashes to `sha-<name>`, linked to `after`. */
function file(name: string, after?: string): StoredEvidence {
  const previous = after ? { fileName: after, sha256: `sha-${after}` } : null;
  return { name, sha256: `sha-${name}`, check: { ok: true, message: 'digest ok', report: { previous } as never } };
}

const order = (files: StoredEvidence[], present = files.map((f) => f.name)) => {
  const chain = orderChain(files, new Set(present));
  return { ordered: chain.ordered.map((f) => f.name), off: chain.offChain.map((f) => `${f.name}: ${f.message}`), tip: chain.tip?.fileName };
};

describe('ordering a chain by its links', () => {
  it('follows the links whatever the names say', () => {
    expect(order([file('1', '3'), file('2', '1'), file('3')])).toEqual({ ordered: ['3', '1', '2'], off: [], tip: '2' });
  });

  it('names a second start, a gap, a changed predecessor and a fork; the next file links to the longest chain', () => {
    const files = [file('a'), file('b', 'a'), file('c', 'b'), file('d', 'b'), file('e'), file('f', 'gone'), { ...file('g', 'c'), check: { ok: true, message: 'digest ok', report: { previous: { fileName: 'c', sha256: 'other' } } as never } }];
    expect(order(files, [...files.map((f) => f.name)])).toEqual({
      ordered: ['a', 'b', 'c'],
      off: [
        'd: chain broken: it and c both follow b (a fork)',
        'e: chain broken: it claims no predecessor, but the chain starts at a',
        'f: chain broken: it follows gone, which is missing',
        'g: chain broken: c changed since',
      ],
      tip: 'c',
    });
  });

  it('with its first file gone, still gives the newest file to link to', () => {
    expect(order([file('b', 'a'), file('c', 'b')])).toEqual({
      ordered: [],
      off: ['b: chain broken: it follows a, which is missing', 'c: chain broken: it follows b, which is not on the chain'],
      tip: 'c',
    });
  });

  it('keeps a long chain without running out of stack', () => {
    const files = Array.from({ length: 20_000 }, (_, i) => file(String(i).padStart(6, '0'), i ? String(i - 1).padStart(6, '0') : undefined));
    const chain = orderChain(files.reverse(), new Set(files.map((f) => f.name)));
    expect(chain.ordered).toHaveLength(20_000);
    expect(chain.tip?.fileName).toBe('019999');
  });
});
