import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEvidenceStore } from '../../src/evidence/open-store.js';

describe('naming an evidence store', () => {
  it('takes file:DIR, file:///abs and a bare directory; refuses a scheme it does not have', () => {
    const url = (spec: string) => {
      const opened = openEvidenceStore(spec);
      return opened.ok ? opened.store.url : opened.message;
    };
    expect(url('file:./evidence')).toBe(`file:${resolve('evidence')}`);
    expect(url('file:///srv/evidence')).toBe('file:/srv/evidence');
    expect(url('evidence')).toBe(`file:${resolve('evidence')}`);
    expect(url('git+ssh://git@example.com/ev.git#main')).toBe('git+ssh://git@example.com/ev.git#main: the git+ssh evidence store is not supported; use file:DIR');
    expect(url('file:')).toBe('file:: expected file:DIR');
  });
});
