import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EvidenceStore } from '../evidence/store.js';
import { collectHistories } from './collect.js';
import { renderHistoryPage, renderRunPage, renderSiteIndex, sitePaths } from './pages.js';

export interface SiteWritten {
  index: string;
  pages: number;
  runs: number;
  /** Files whose digest or chain does not hold, shown as such in the site. */
  untrusted: number;
}

/** Renders a store's evidence into `outputDir`: `index.html`, one history page per (playbook, env), one page per run. */
export function writeEvidenceSite(store: EvidenceStore, outputDir: string): SiteWritten {
  const histories = collectHistories(store);
  const files = new Map<string, string>([['index.html', renderSiteIndex(histories)]]);
  for (const history of histories) {
    files.set(sitePaths.history(history), renderHistoryPage(history));
    for (const run of history.runs) files.set(sitePaths.run(run), renderRunPage(run));
  }
  for (const [path, html] of files) {
    mkdirSync(dirname(join(outputDir, path)), { recursive: true });
    writeFileSync(join(outputDir, path), html);
  }
  const runs = histories.flatMap((h) => h.runs);
  return { index: join(outputDir, 'index.html'), pages: files.size, runs: runs.length, untrusted: runs.filter((r) => r.state !== 'chained').length };
}
