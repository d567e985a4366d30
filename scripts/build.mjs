#!/usr/bin/env node
// Builds what `bin` runs: the CLI as one ESM bundle with lazy chunks (dist/bundle/), plus the
// tsc output (dist/src, dist/checks) that in-process tests import. Dependencies are bundled,
// so `npm install -g` installs nothing else (and no undici 8 under client-node on Node 20).
//
//   node scripts/build.mjs            both
//   node scripts/build.mjs --bundle   the bundle only
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');
const bundleOnly = process.argv.includes('--bundle');

if (!bundleOnly) execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });

// The sources load a few packages synchronously on first use through
// `createRequire(import.meta.url)(...)` (yaml, js-yaml, picomatch, the PromQL grammar).
// esbuild cannot see through createRequire; a plain require() it bundles, and it evaluates
// the module only when that call runs, which keeps the load lazy inside the bundle.
const bundleLazyRequires = {
  name: 'bundle-lazy-requires',
  setup(b) {
    b.onLoad({ filter: /[\\/](src|checks)[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('createRequire(import.meta.url)(')) return undefined;
      return { contents: text.replaceAll('createRequire(import.meta.url)(', 'require('), loader: 'ts' };
    });
  },
};

// `await import('yaml')` of a CommonJS package: Node gives the named exports too, but
// esbuild's split chunk of a CommonJS module exports only `default`. A small ESM wrapper
// with the package's export names (read by requiring it here) keeps Node's semantics.
const namedCommonJsImports = {
  name: 'named-commonjs-imports',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.namespace !== 'file' || args.path.startsWith('node:')) return undefined;
      const resolved = await b.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, pluginData: 'inner' });
      if (resolved.errors.length || !isCommonJs(resolved.path)) return undefined;
      return { path: resolved.path, namespace: 'cjs-named' };
    });
    b.onResolve({ filter: /.*/, namespace: 'cjs-named' }, (args) => ({ path: args.path }));
    b.onLoad({ filter: /.*/, namespace: 'cjs-named' }, (args) => {
      const names = Object.keys(createRequire(args.path)(args.path)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
      const lines = [`const m = require(${JSON.stringify(args.path)});`, 'export default m;', ...names.map((n) => `export const ${n} = m.${n};`)];
      return { contents: lines.join('\n'), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type !== 'module';
  }
  return true;
}

// zod's `z.locales` (every language's error messages, half of zod's size) is never used
// (English is registered on its own): not exporting it keeps it out of every start-up.
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const line = 'export * as locales from "../locales/index.js";';
      if (!text.includes(line)) throw new Error(`${args.path}: zod changed; revisit the zod-without-locales plugin`);
      return { contents: text.replace(line, ''), loader: 'js' };
    });
  },
};

// pg picks its socket functions at load by asking whether it runs in a Cloudflare Worker; on
// Node that probe constructs a `Response`, which loads Node's bundled undici (≈ 15–25 ms per
// run that touches PostgreSQL). This bundle runs only on Node: take Node's sockets directly.
const pgNodeSockets = {
  name: 'pg-node-sockets',
  setup(b) {
    b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const line = 'const { getStream, getSecureStream } = getStreamFuncs()';
      if (!text.includes(line)) throw new Error(`${args.path}: pg changed; revisit the pg-node-sockets plugin`);
      return { contents: text.replace(line, 'const { getStream, getSecureStream } = getNodejsStreamFuncs()'), loader: 'js' };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { rollout: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Chunks sit beside the entry: src/session/version.ts finds package.json two levels up.
  chunkNames: '[name]-[hash]',
  sourcemap: 'linked',
  sourcesContent: false,
  // Optional native/edge backends a dependency tries only when asked for; never installed here.
  external: ['pg-native', 'pg-cloudflare', 'cloudflare:sockets'],
  // Bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __rolloutCreateRequire } from 'node:module'; const require = __rolloutCreateRequire(import.meta.url);" },
  plugins: [bundleLazyRequires, namedCommonJsImports, zodWithoutLocales, pgNodeSockets],
  metafile: true,
  logLevel: 'warning',
  legalComments: 'linked',
});

// What each chunk holds, for `node scripts/build.mjs --bundle --metafile` and bench notes.
if (process.argv.includes('--metafile')) writeFileSync(join(root, 'dist/bundle-meta.json'), JSON.stringify(result.metafile));

process.stdout.on('error', () => {});
if (process.argv.includes('--report')) {
  const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
  for (const [file, output] of outputs.sort((a, b) => b[1].bytes - a[1].bytes)) {
    process.stdout.write(`${String(Math.round(output.bytes / 1024)).padStart(6)} KB  ${relative(root, file)}\n`);
  }
}

if (process.argv.includes('--inputs')) {
  const [file, output] = Object.entries(result.metafile.outputs).sort((a, b) => b[1].bytes - a[1].bytes)[0];
  const byPackage = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const key = input.match(/node_modules\/((@[^/]+\/)?[^/]+)/)?.[1] ?? input.split('/').slice(0, 2).join('/');
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  process.stdout.write(`${relative(root, file)}\n`);
  for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) process.stdout.write(`${String(Math.round(bytes / 1024)).padStart(6)} KB  ${name}\n`);
}
