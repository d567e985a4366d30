import { open } from 'node:fs/promises';
import { z } from 'zod';
import { defineCheck, findMatches, formatDuration, type FileMatch } from '../../src/sdk/index.js';

// Large enough for any config or report; a multi-gigabyte log is scanned only up to here.
const MAX_SCAN_BYTES = 64 * 1024 * 1024;

const params = z.strictObject({
  /** A path or a glob (`*`, `?`, `**`); relative paths resolve from the playbook's directory. */
  path: z
    .string()
    .min(1, 'path is empty; write a file path or a glob such as /var/backups/*.dump')
    .describe('A path or a glob (*, ?, **); relative paths resolve from the playbook directory.'),
  /** For `observe: contains`: a regular expression (JavaScript syntax). */
  pattern: z
    .string()
    .optional()
    .superRefine((source, ctx) => {
      if (source === undefined) return;
      try {
        new RegExp(source);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not a regular expression: ${(error as Error).message}` });
      }
    })
    .describe('For observe: contains — a regular expression (JavaScript syntax).'),
  /** Regular expression flags for `pattern`, e.g. `i` or `m`. */
  flags: z.string().regex(/^[imsu]*$/, 'flags may be i, m, s and u').optional().describe('Flags for pattern: i, m, s, u.'),
});

type Params = z.output<typeof params>;

export default defineCheck({
  kind: 'file',
  summary: 'File or glob: exists, age of the newest match, contains a pattern, size',
  description:
    '`path` may be a glob, expanded as bash does with `globstar` (`*`, `?`, `[..]`, `**`, a trailing `/` for directories). ' +
    '`exists` is true when anything matches, directories included. `age` (seconds), `contains` and ' +
    '`size` (bytes) look at the newest regular file among the matches by modification time; when nothing matches they observe no data, ' +
    'which is `error` unless the node says `onEmpty:`. With `--at`, `age` counts from that instant and ignores ' +
    'matches modified after it; the other observations describe the present.',
  params,
  observes: 'any',
  observeChoices: {
    default: 'exists',
    patterns: [/^exists$/, /^age$/, /^contains$/, /^size$/],
    help: ['exists (default; boolean)', 'age (seconds since the newest match was modified)', 'contains (boolean; needs `pattern`)', 'size (bytes of the newest match)'],
  },
  defaultExpect: (observe) => (observe === undefined || observe === 'exists' || observe === 'contains' ? '== true' : undefined),
  mutates: false,
  outputs: { path: 'the newest matching path', matches: 'how many paths matched' },
  examples: [
    '- id: nightly-backup-fresh\n  uses: file\n  with: { path: /var/backups/payments/*.dump }\n  observe: age\n  expect: "< 26h"',
    '- id: tls-enabled\n  uses: file\n  with: { path: ./config/nginx.conf, pattern: "^\\\\s*ssl_certificate\\\\s", flags: m }\n  observe: contains',
    '- id: migration-plan-present\n  uses: file\n  with: { path: "migrations/**/V*__*.sql" }',
  ],
  async run(p, ctx) {
    const observe = ctx.observe ?? 'exists';
    if (observe === 'contains' && p.pattern === undefined) return { error: 'observe: contains needs `pattern` in `with`' };
    let matches: FileMatch[];
    try {
      matches = await findMatches(p.path, ctx.cwd, ctx.signal);
    } catch (error) {
      return { error: ctx.signal.aborted ? `stopped while searching ${p.path}` : `cannot search ${p.path}: ${(error as Error).message}` };
    }
    const notes: string[] = [];
    // A directory has no age or size of its own that a gate means (its 4096 bytes are the
    // file system's): only `exists` counts directories.
    if (observe !== 'exists') {
      const before = matches.length;
      matches = matches.filter((match) => match.stats.isFile());
      if (before > matches.length) notes.push(`${before - matches.length} match(es) that are not regular files ignored`);
    }
    // `--at` asks about time: an age counts only what had been written by then. The other
    // observations describe the present, the only state a file system shows.
    if (ctx.at && observe === 'age') {
      const before = matches.length;
      matches = matches.filter((match) => match.stats.mtime <= ctx.at!);
      if (before > matches.length) notes.push(`${before - matches.length} match(es) modified after --at ignored`);
    }
    const newest = pickNewest(matches);
    const outputs = { path: newest?.path ?? null, matches: matches.length };
    if (newest) notes.push(`newest: ${newest.path} (modified ${newest.stats.mtime.toISOString()}, ${newest.stats.size} bytes)`);
    notes.unshift(`${matches.length} match(es) for ${p.path}`);
    if (observe === 'exists') return { observed: newest !== undefined, details: { notes }, outputs };
    if (!newest) return { observed: null, details: { notes }, outputs };
    if (observe === 'age') {
      const ageMs = ctx.now().getTime() - newest.stats.mtime.getTime();
      notes.push(`age ${formatDuration(ageMs)}`);
      return { observed: ageMs / 1000, unit: 'seconds', details: { notes }, outputs };
    }
    if (observe === 'size') return { observed: newest.stats.size, unit: 'bytes', details: { notes }, outputs };
    if (observe === 'contains') return searchFile(newest, p, notes, outputs);
    return { error: `unknown observe "${observe}"; use exists, age, contains or size` };
  },
});

function pickNewest(matches: FileMatch[]): FileMatch | undefined {
  let newest: FileMatch | undefined;
  for (const match of matches) if (!newest || match.stats.mtimeMs > newest.stats.mtimeMs) newest = match;
  return newest;
}

async function searchFile(match: FileMatch, p: Params, notes: string[], outputs: Record<string, unknown>) {
  if (!match.stats.isFile()) return { error: `${match.path} is not a regular file` };
  let text: string;
  try {
    text = await readHead(match.path, MAX_SCAN_BYTES);
  } catch (error) {
    return { error: `cannot read ${match.path}: ${(error as Error).message}` };
  }
  if (match.stats.size > MAX_SCAN_BYTES) notes.push(`only the first ${MAX_SCAN_BYTES} bytes were searched`);
  const found = new RegExp(p.pattern!, p.flags).exec(text);
  if (found) notes.push(`first match: ${lineOf(text, found.index)}`);
  return { observed: found !== null, details: { notes }, outputs };
}

async function readHead(path: string, maxBytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(maxBytes, (await handle.stat()).size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The line holding a match, shortened, so the evidence shows where it was found. */
function lineOf(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const end = text.indexOf('\n', index);
  const line = text.slice(start, end === -1 ? undefined : end);
  const lineNumber = text.slice(0, index).split('\n').length;
  return `line ${lineNumber}: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
}
