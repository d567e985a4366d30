#!/usr/bin/env node
// Entry point. `--version` answers before anything heavy loads (start-up target: ≤ 2× node).
import { readFileSync } from 'node:fs';
import { mapStackTracesWhenShown } from './stack-traces.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // dist/bundle/rollout.js (what `bin` runs) or dist/src/cli/main.js (tsc output).
  const url = new URL(import.meta.url.includes('/dist/bundle/') ? '../../package.json' : '../../../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else {
  // Stack traces name src/ files and lines (the bundle ships its source maps).
  mapStackTracesWhenShown();
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
