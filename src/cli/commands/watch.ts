import { promoteRecord } from '../../evidence/read-back.js';
import { takeLock } from '../../lock/index.js';
import { formatObserved } from '../../report/format.js';
import { runWatch, type WatchRound } from '../../run/watch.js';
import { EXIT } from '../../run/verdict.js';
import { formatDuration, parseDuration } from '../../sdk/duration.js';
import { confirmEnvironment } from '../confirm.js';
import { err, out } from '../output.js';
import { executePlan, loadValid, preparePlan } from '../pipeline.js';
import type { CommonOptions } from '../program.js';

export interface WatchOptions extends CommonOptions {
  duration: string;
  interval: string;
  rollback?: boolean;
}

export async function watchCommand(opts: WatchOptions): Promise<number> {
  const durationMs = parseDuration(opts.duration);
  const intervalMs = parseDuration(opts.interval);
  const problems = [
    durationMs === undefined || durationMs <= 0 ? `--duration ${opts.duration}: expected a duration such as 15m` : '',
    intervalMs === undefined || intervalMs <= 0 ? `--interval ${opts.interval}: expected a duration such as 30s` : '',
  ].filter(Boolean);
  if (problems.length) {
    err(`${problems.join('\n')}\nnothing was run.\n`);
    return EXIT.invalid;
  }
  const valid = await loadValid(opts.playbook);
  if (!valid.ok) return valid.code;
  if (!valid.value.playbook.rollback?.triggers?.length) {
    err(`${opts.playbook} has no rollback.triggers: there is nothing to watch.\nnothing was run.\n`);
    return EXIT.invalid;
  }
  if (opts.rollback && !valid.value.playbook.rollback.steps?.length) {
    err(`--rollback, but ${opts.playbook} has no rollback.steps.\nnothing was run.\n`);
    return EXIT.invalid;
  }
  const planned = preparePlan(valid.value, opts, 'watch', opts.rollback ? { withRollback: true } : {});
  if (!planned.ok) return planned.code;
  const { plan } = planned.value;
  // Asked now, not when a trigger fires at 3 a.m. with nobody at the terminal.
  if (opts.rollback && !(await confirmEnvironment(plan.env, `rollout watch --rollback may roll back ${plan.playbook.name}`, opts.yes))) return EXIT.invalid;
  const record = promoteRecord(opts.evidenceDir, plan.env, plan.playbook.name);
  const documentToStdout = opts.reporter !== undefined && opts.reporter !== 'plain' && opts.reporter !== 'tty' && !opts.output;
  const print = documentToStdout ? err : out;
  let release: (() => Promise<void>) | undefined;
  print(`watching ${plan.nodes.filter((n) => n.role === 'trigger').length} trigger(s) of ${plan.playbook.name} in ${plan.env} for ${formatDuration(durationMs!)}, every ${formatDuration(intervalMs!)}${opts.rollback ? '; a blocking trigger that fires starts the rollback' : ''}\n`);
  try {
    return await executePlan(valid.value, plan, opts, {
      external: record.external,
      done: record.done,
      linesOnly: true,
      run: (p, deps) =>
        runWatch(p, deps, {
          durationMs: durationMs!,
          intervalMs: intervalMs!,
          rollback: opts.rollback ?? false,
          onRound: (round) => print(renderRound(round)),
          beforeRollback: async () => {
            const lock = await takeLock(p, opts.evidenceDir, valid.value);
            if (!lock.ok) {
              err(`rollback refused: ${lock.message}\n`);
              return lock.message;
            }
            release = lock.release;
            print('a blocking trigger fired: rolling back\n');
            return undefined;
          },
        }),
    });
  } finally {
    await release?.();
  }
}

function renderRound(round: WatchRound): string {
  const elapsed = `+${formatDuration(round.elapsedMs)}`.padEnd(8);
  const parts = round.triggers.map((t) => `${t.id} ${t.state.toUpperCase()}${t.observed !== undefined ? ` ${formatObserved(t.observed as never, 40)}` : ''}${t.state === 'error' ? ` (${t.message})` : ''}${t.severity === 'warning' ? ' [warning]' : ''}`);
  return `${round.at.toISOString().slice(11, 19)} ${elapsed} ${parts.join('  ·  ')}\n`;
}
