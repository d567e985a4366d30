#!/usr/bin/env node
// Entry point. `--version` answers before anything heavy loads (start-up target: ≤ 2× node).
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else {
  // A dropped ssh session or a closed pipe must not crash the run before its evidence is
  // written: output that cannot be delivered is dropped.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  const { runCli } = await import('./program.js');
  const code = await runCli(argv);
  const { flushOutput } = await import('./output.js');
  await flushOutput();
  // The only exit in the program: children and pools are closed by now; do not wait on
  // stray handles a check module may have left.
  process.exit(code);
}
