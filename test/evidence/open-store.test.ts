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
    expect(url('git+ssh://git@example.com/ev.git#main')).toBe('git+ssh://git@example.com/ev.git#main');
    expect(url('git+https://ci:s3cret@example.com/ev.git#main')).toBe('git+https://ci:***@example.com/ev.git#main');
    expect(url('git+ssh://git@example.com/ev.git')).toBe('git+ssh://git@example.com/ev.git: name the branch after #, as in git+ssh://git@example.com/ev.git#evidence');
    expect(url('git+ftp://example.com/ev.git#main')).toMatch(/^git\+ftp:\/\/example.com\/ev.git#main: expected git\+file:/);
    expect(url('s3://bucket/ev')).toBe('s3://bucket/ev: unknown evidence store "s3:"; use file:DIR, or git+file://, git+ssh:// or git+https://…#branch');
    expect(url('git+file:///srv/ev.git#a..b')).toBe('git+file:///srv/ev.git#a..b: "a..b" is not a branch name git accepts');
    expect(url('file:')).toBe('file:: expected file:DIR');
  });
});
