import { execFileSync } from 'node:child_process';

// Integration tests drive the bundled CLI as a user would (what `bin` runs); in-process tests
// import the tsc output. Build both once per test run so no test runs stale JS.
export function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
