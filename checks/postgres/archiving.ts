import { z } from 'zod';
import { defineCheck, duration, formatDuration } from '../../src/sdk/index.js';
import { withConnection } from './client.js';

export default defineCheck({
  kind: 'postgres.archiving',
  summary: 'WAL archiving works: archive_mode on, a recent success, no failure since',
  description:
    'Passes when `archive_mode` is on (or always), an `archive_command`/`archive_library` is set, `pg_stat_archiver` shows a WAL ' +
    'segment archived less than `maxAge` ago, and no failure newer than that success. Each unmet condition is a reason. ' +
    'A quiet server switches WAL segments rarely: set `archive_timeout` below `maxAge` so "recent" stays meaningful.',
  params: z.strictObject({
    maxAge: duration.default(3_600_000).describe('How old the last successful archive may be (default 1h)'),
  }),
  observes: 'verdict',
  mutates: false,
  system: 'postgres',
  outputs: { lastArchivedWal: 'name of the last archived WAL segment', lastArchivedAt: 'when (ISO 8601)', failedCount: 'failures since stats reset' },
  examples: ['- id: wal-archiving\n  uses: postgres.archiving\n  connection: primary\n  with: { maxAge: 15m }'],
  async run(p, ctx) {
    return withConnection(ctx, { readOnly: true, kind: 'postgres.archiving' }, async (client) => {
      const { rows } = await client.query(
        `SELECT current_setting('archive_mode') AS mode, current_setting('archive_command') AS command,
                current_setting('archive_library') AS library, a.*
           FROM pg_stat_archiver a`,
      );
      const row = rows[0] as {
        mode: string; command: string; library: string; archived_count: string; last_archived_wal: string | null;
        last_archived_time: Date | null; failed_count: string; last_failed_wal: string | null; last_failed_time: Date | null;
      };
      const now = ctx.now();
      const reasons: string[] = [];
      if (row.mode === 'off') reasons.push('archive_mode is off (set archive_mode = on and restart)');
      if (row.mode !== 'off' && !row.command && !row.library) reasons.push('archive_mode is on but archive_command and archive_library are empty: nothing is archived');
      const success = row.last_archived_time;
      if (!success) reasons.push('no WAL segment has been archived since the statistics were reset');
      else if (now.getTime() - success.getTime() > p.maxAge) {
        reasons.push(`the last WAL segment was archived ${formatDuration(now.getTime() - success.getTime())} ago (${row.last_archived_wal}), more than maxAge ${formatDuration(p.maxAge)}`);
      }
      const failure = row.last_failed_time;
      if (failure && (!success || failure > success)) {
        reasons.push(`archiving ${row.last_failed_wal} failed at ${failure.toISOString()}, after the last success${success ? ` (${success.toISOString()})` : ''}`);
      }
      const notes = [
        `archive_mode ${row.mode}, ${row.command ? `archive_command '${row.command}'` : row.library ? `archive_library ${row.library}` : 'no archive command'}`,
        `archived ${row.archived_count}, last ${row.last_archived_wal ?? 'never'} at ${success?.toISOString() ?? '-'}`,
        `failed ${row.failed_count}, last ${row.last_failed_wal ?? 'never'} at ${failure?.toISOString() ?? '-'}`,
      ];
      const outputs = { lastArchivedWal: row.last_archived_wal, lastArchivedAt: success?.toISOString() ?? null, failedCount: Number(row.failed_count) };
      if (reasons.length > 0) return { status: 'fail' as const, reasons, details: { notes }, outputs };
      return { status: 'pass' as const, reasons: [`last archived ${formatDuration(now.getTime() - success!.getTime())} ago, no failure since`], details: { notes }, outputs };
    });
  },
});
