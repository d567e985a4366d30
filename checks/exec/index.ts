import { z } from 'zod';
import { defineCheck, runProcess } from '../../src/sdk/index.js';

const params = z.strictObject({
  command: z.array(z.string()).min(1, 'command needs at least the program, e.g. [./smoke.sh, --quick]'),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  /** Run through `sh -c`: only when the playbook asks for a shell. */
  shell: z.boolean().optional(),
});

export default defineCheck({
  kind: 'exec',
  summary: 'Run a command (argv, no shell); observe its exit code or its trimmed stdout',
  description:
    'Runs `command` as an argument array in its own process group. A timeout or Ctrl-C stops the whole group ' +
    '(SIGTERM, a grace period, SIGKILL), grandchildren included. Pass secrets through `env:`, never in `command`.',
  params,
  observes: 'any',
  observeChoices: { default: 'exitCode', patterns: [/^exitCode$/, /^stdout$/], help: ['exitCode (default)', 'stdout (trimmed)'] },
  defaultExpect: (observe) => (observe === 'stdout' ? undefined : '== 0'),
  mutates: false,
  argvFields: ['command'],
  outputs: { stdout: 'trimmed standard output', exitCode: 'the exit code' },
  examples: [
    '- id: smoke\n  uses: exec\n  with: { command: [make, smoke] }',
    '- id: migrations-pending\n  uses: exec\n  with: { command: [./bin/pending-migrations], env: { DATABASE_URL: "${secret:DATABASE_URL}" } }\n  observe: stdout\n  expect: "== 0"',
  ],
  async run(p, ctx) {
    const argv = p.shell ? ['sh', '-c', p.command.join(' ')] : p.command;
    const cwd = p.cwd ? resolvePath(ctx.cwd, p.cwd) : ctx.cwd;
    const program = argv[0]!;
    // A relative program path (./smoke.sh) is relative to the playbook, like every other path.
    const file = program.startsWith('./') || program.startsWith('../') ? resolvePath(ctx.cwd, program) : program;
    const result = await runProcess([file, ...argv.slice(1)], { cwd, env: { ...ctx.env, ...p.env }, signal: ctx.signal });
    const excerpt = [result.stdout, result.stderr].filter(Boolean).join(result.stdout && result.stderr ? '\n--- stderr ---\n' : '');
    // What the command left running was stopped when it exited: say so, it is rarely intended.
    const left = result.leftovers?.length
      ? { leftovers: result.leftovers, notes: [`stopped ${result.leftovers.length} process(es) the command left running in its process group: ${result.leftovers.join('; ')}`] }
      : {};
    const details = { excerpt, ...left };
    if (result.startError) return { error: result.startError, details };
    if (result.aborted) return { error: 'stopped before it finished', details };
    if (result.exitCode === null) return { error: `killed by ${result.signal}`, details };
    const stdout = result.stdout.trim();
    const observed = ctx.observe === 'stdout' ? stdout : result.exitCode;
    return { observed, details, outputs: { stdout, exitCode: result.exitCode } };
  },
  async preflight(p, ctx) {
    const { access, constants } = await import('node:fs/promises');
    const program = p.shell ? 'sh' : p.command[0]!;
    const candidates = program.includes('/')
      ? [resolvePath(ctx.cwd, program)]
      : (ctx.env.PATH ?? '').split(':').filter(Boolean).map((dir) => `${dir}/${program}`);
    for (const candidate of candidates) {
      try {
        await access(candidate, constants.X_OK);
        return { ok: true, message: `${program} → ${candidate}` };
      } catch {
        // Try the next directory.
      }
    }
    return { ok: false, message: program.includes('/') ? `${program}: not found or not executable` : `${program}: not found on PATH` };
  },
});

function resolvePath(base: string, path: string): string {
  return path.startsWith('/') ? path : `${base.replace(/\/$/, '')}/${path}`;
}
