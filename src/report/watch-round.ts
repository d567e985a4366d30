import type { WatchRound } from '../run/watch.js';
import { formatDuration } from '../sdk/duration.js';
import { formatObserved } from './format.js';

/** One line per evaluation round of `watch`: time, elapsed, each trigger's state. */
export function renderWatchRound(round: WatchRound): string {
  const elapsed = `+${formatDuration(round.elapsedMs)}`.padEnd(8);
  const parts = round.triggers.map((t) => `${t.id} ${t.state.toUpperCase()}${t.observed !== undefined ? ` ${formatObserved(t.observed as never, 40)}` : ''}${t.state === 'error' ? ` (${t.message})` : ''}${counts(t.counts)}${t.severity === 'warning' ? ' [warning]' : ''}`);
  return `${round.at.toISOString().slice(11, 19)} ${elapsed} ${parts.join('  ·  ')}\n`;
}

/** The stopping-rule counts, once there is something to count against a limit. */
function counts(c: WatchRound['triggers'][number]['counts']): string {
  if (!c || (c.failureLimit === 0 && c.consecutiveErrorLimit === 0)) return '';
  return ` [failed ${c.failed}/${c.failureLimit}, errors in a row ${c.consecutiveErrors}/${c.consecutiveErrorLimit}]`;
}
