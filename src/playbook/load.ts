import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Document, Node } from 'yaml';
import type { Diagnostic, Path } from './diagnostics.js';
import { formatPath } from './diagnostics.js';

let yamlModule: typeof import('yaml') | undefined;
/** `yaml` (~45 ms to load) loads only when the fast path declines or a diagnostic needs a position. */
const yaml = (): typeof import('yaml') => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

export const MAX_PLAYBOOK_BYTES = 1024 * 1024;
export const MAX_ALIASES = 100;

/** The parsed YAML with the means to point back into the source. */
export interface LoadedDocument {
  file: string;
  source: string;
  data: unknown;
  /** Where a value (or, with `key`, the key itself) stands in the source. */
  locate(path: Path, key?: string): { line: number; column: number };
  /** The source text of a scalar, e.g. `1.10` before YAML made it the number 1.1. */
  sourceText(path: Path): string | undefined;
  diagnostic(id: string, path: Path, message: string, hint?: string, key?: string): Diagnostic;
}

export type LoadResult = { ok: true; doc: LoadedDocument } | { ok: false; diagnostics: Diagnostic[] };

export function loadPlaybookFile(file: string): LoadResult {
  const read = readCapped(file, MAX_PLAYBOOK_BYTES);
  if ('problem' in read) return { ok: false, diagnostics: [{ file, line: 1, column: 1, path: '(file)', ...read.problem }] };
  return parsePlaybookText(read.text, file);
}

type Read = { text: string } | { problem: Pick<Diagnostic, 'id' | 'message' | 'hint'> };

/**
 * The file's text, read in chunks with the cap enforced while reading: a size from stat
 * says nothing for /dev/zero or a FIFO, which would otherwise be read forever.
 */
function readCapped(file: string, maxBytes: number): Read {
  let fd: number;
  try {
    if (statSync(file).isDirectory()) return { problem: { id: 'is-a-directory', message: `${file} is a directory`, hint: 'pass the playbook file with -p FILE, e.g. -p playbooks/api.yaml' } };
    fd = openSync(file, 'r');
  } catch {
    return { problem: { id: 'unreadable-file', message: `cannot read ${file}`, hint: 'pass the playbook with -p FILE (default ./rollout.yaml)' } };
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const bytes = readSync(fd, chunk, 0, chunk.length, null);
      if (bytes === 0) break;
      total += bytes;
      if (total > maxBytes) return { problem: { id: 'file-too-large', message: `${file} holds more than 1 MiB; the limit is 1 MiB`, hint: 'split it, or move data out of the playbook' } };
      chunks.push(chunk.subarray(0, bytes));
    }
    return { text: Buffer.concat(chunks).toString('utf8') };
  } catch (error) {
    return { problem: { id: 'unreadable-file', message: `cannot read ${file}: ${(error as Error).message}`, hint: 'pass the playbook with -p FILE (default ./rollout.yaml)' } };
  } finally {
    closeSync(fd);
  }
}

export function parsePlaybookText(source: string, file: string): LoadResult {
  // Most playbooks are valid: read them fast, and build the positioned document only when a
  // diagnostic needs a line and column (start-up targets; see docs/benchmarks.md).
  const fast = parseFast(source);
  if (fast) return { ok: true, doc: describeDocument(file, source, fast.data, () => parsePositioned(source)) };
  const positioned = parsePositioned(source);
  const { doc, position } = positioned;
  const problems: Diagnostic[] = [];
  for (const error of doc.errors) {
    const { line, column } = position(error.pos[0]);
    const duplicate = /Map keys must be unique/.test(error.message);
    problems.push({
      id: duplicate ? 'duplicate-key' : 'yaml-syntax',
      file,
      line,
      column,
      path: '(yaml)',
      message: duplicate ? 'duplicate key' : firstLine(error.message),
      hint: duplicate ? 'each key may appear once in a mapping; remove or rename one of them' : 'check indentation and quoting at this place',
    });
  }
  if (problems.length) return { ok: false, diagnostics: problems };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    const message = (error as Error).message;
    return {
      ok: false,
      diagnostics: [{ id: 'too-many-aliases', file, line: 1, column: 1, path: '(yaml)', message: /alias/i.test(message) ? `too many aliases (the limit is ${MAX_ALIASES})` : message, hint: 'write the values out instead of repeating aliases' }],
    };
  }
  return { ok: true, doc: describeDocument(file, source, data, () => positioned) };
}

interface Positioned {
  doc: Document;
  position(offset: number): { line: number; column: number };
}

function parsePositioned(source: string): Positioned {
  const lineCounter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(source, {
    version: '1.2',
    schema: 'core',
    uniqueKeys: true,
    prettyErrors: false,
    lineCounter,
    merge: false,
  });
  return {
    doc,
    position(offset) {
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    },
  };
}

function describeDocument(file: string, source: string, data: unknown, positioned: () => Positioned): LoadedDocument {
  let cached: Positioned | undefined;
  const get = () => (cached ??= positioned());
  const loaded: LoadedDocument = {
    file,
    source,
    data,
    locate(path, key) {
      const { doc, position } = get();
      const node = findNode(doc, path, key);
      const offset = node?.range?.[0];
      return offset === undefined ? nearest(doc, path, position) : position(offset);
    },
    sourceText(path) {
      const node = findNode(get().doc, path);
      if (!node || !yaml().isScalar(node) || !node.range) return undefined;
      return source.slice(node.range[0], node.range[1]);
    },
    diagnostic(id, path, message, hint, key) {
      const { line, column } = loaded.locate(path, key);
      return { id, file, line, column, path: formatPath(key ? [...path, key] : path), message, ...(hint ? { hint } : {}) };
    },
  };
  return loaded;
}

/**
 * Anchors, aliases, tags, directives and null-like keys: `yaml` alone decides those (its alias
 * cap, its reading of `null:`). An indicator preceded by a space or a flow bracket may start
 * one; a false alarm only costs the slow path.
 */
const NEEDS_FULL_PARSER = /(?:^|[\s[{,])[&*!]\S|^%|(?:^|[\s[{,])(?:null|Null|NULL|~)\s*:/m;

/**
 * js-yaml reads the YAML 1.2 core schema like `yaml` does (every scalar form compared in
 * docs/benchmarks.md) at a third of the cost, but without positions. Whatever it refuses goes
 * through `yaml`, which reports the problem with its line and column.
 */
function parseFast(source: string): { data: unknown } | undefined {
  if (NEEDS_FULL_PARSER.test(source)) return undefined;
  try {
    const jsyaml = createRequire(import.meta.url)('js-yaml') as typeof import('js-yaml');
    const data = jsyaml.load(source, { schema: jsyaml.CORE_SCHEMA });
    return data === undefined || data === null ? undefined : { data };
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
}

function findNode(doc: Document, path: Path, key?: string): Node | undefined {
  let node: unknown = doc.contents;
  for (const part of path) {
    node = child(node, part);
    if (!node) return undefined;
  }
  if (key !== undefined && yaml().isMap(node)) {
    const pair = node.items.find((item) => yaml().isPair(item) && yaml().isScalar(item.key) && String(item.key.value) === key);
    return (pair?.key as Node | undefined) ?? (node as Node);
  }
  return node as Node;
}

function child(node: unknown, part: string | number): unknown {
  if (yaml().isMap(node)) {
    const pair = node.items.find((item) => yaml().isScalar(item.key) && String(item.key.value) === String(part));
    return pair?.value ?? undefined;
  }
  if (yaml().isSeq(node) && typeof part === 'number') return node.items[part];
  return undefined;
}

/** The closest existing ancestor, so a missing field points at its parent mapping. */
function nearest(doc: Document, path: Path, position: (offset: number) => { line: number; column: number }) {
  for (let length = path.length; length >= 0; length--) {
    const node = findNode(doc, path.slice(0, length));
    if (node?.range) return position(node.range[0]);
  }
  return { line: 1, column: 1 };
}
