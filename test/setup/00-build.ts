import { execFileSync } from 'node:child_process';

// Integration tests drive the built CLI as a user would; build it once per test run so
// they never test stale JS.
export function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
}
