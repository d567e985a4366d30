import { parseDuration } from '../../sdk/duration.js';
import type { CommonOptions } from '../options.js';
import { err } from '../output.js';
import { runCommand } from '../run-command.js';

export interface WatchOptions extends CommonOptions {
  duration: string;
  interval: string;
  rollback?: boolean;
}

export function watchCommand(opts: WatchOptions): Promise<number> {
  const durationMs = parseDuration(opts.duration);
  const intervalMs = parseDuration(opts.interval);
  const problems = [
    durationMs === undefined || durationMs <= 0 ? `--duration ${opts.duration}: expected a duration such as 15m` : '',
    intervalMs === undefined || intervalMs <= 0 ? `--interval ${opts.interval}: expected a duration such as 30s` : '',
  ].filter(Boolean);
  if (problems.length) {
    err(`${problems.join('\n')}\nnothing was run.\n`);
    return Promise.resolve(2);
  }
  return runCommand('watch', opts, { durationMs: durationMs!, intervalMs: intervalMs!, rollback: opts.rollback ?? false });
}
