import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EvidenceStore } from '../evidence/store.js';
import { collectHistories, type AttestationState, type CollectOptions } from './collect.js';
import { loadDagRenderer } from './dag.js';
import { renderHistoryPage, renderRunPage, renderSiteIndex, sitePaths } from './pages.js';

export interface SiteWritten {
  index: string;
  pages: number;
  runs: number;
  /** Files whose digest or chain does not hold, shown as such in the site. */
  untrusted: number;
  /** Runs by what their attestation proves. */
  attestations: Record<AttestationState, number>;
}

/** Renders a store's evidence into `outputDir`: `index.html`, one history page per (playbook, env), one page per run. */
export async function writeEvidenceSite(store: EvidenceStore, outputDir: string, options: CollectOptions = {}): Promise<SiteWritten> {
  const histories = collectHistories(store, options);
  const drawDag = await loadDagRenderer();
  const files = new Map<string, string>([['index.html', renderSiteIndex(histories)]]);
  for (const history of histories) {
    files.set(sitePaths.history(history), renderHistoryPage(history));
    for (const run of history.runs) files.set(sitePaths.run(run), renderRunPage(run, drawDag));
  }
  for (const [path, html] of files) {
    mkdirSync(dirname(join(outputDir, path)), { recursive: true });
    writeFileSync(join(outputDir, path), html);
  }
  const runs = histories.flatMap((h) => h.runs);
  return { index: join(outputDir, 'index.html'), pages: files.size, runs: runs.length, untrusted: runs.filter((r) => r.state !== 'chained').length, attestations: countAttestations(runs.map((r) => r.attestation.state)) };
}

function countAttestations(states: AttestationState[]): Record<AttestationState, number> {
  const counts: Record<AttestationState, number> = { verified: 0, invalid: 0, present: 0, absent: 0 };
  for (const state of states) counts[state]++;
  return counts;
}
