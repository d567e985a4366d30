import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../checks/index.js';
import { buildPlaybookJsonSchema, durationPattern } from '../../src/playbook/json-schema.js';
import { nodeSchema } from '../../src/playbook/schema.js';
import { duration } from '../../src/sdk/duration.js';
import { rollout, workspace } from '../helpers/cli.js';

interface Diagnostic {
  message: string;
  range: { start: { line: number; character: number } };
}

/**
 * The YAML language server (the one editors run) spoken to over stdio, as an editor does:
 * Content-Length framed JSON-RPC. Answers the server's own requests (configuration) with the
 * settings given, and keeps every diagnostics notification it publishes.
 */
class YamlLanguageServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();
  private readonly diagnostics = new Map<string, Array<(list: Diagnostic[]) => void>>();

  constructor(private readonly settings: Record<string, unknown>) {
    const bin = createRequire(import.meta.url).resolve('yaml-language-server/bin/yaml-language-server');
    this.child = spawn(process.execPath, [bin, '--stdio'], { stdio: 'pipe' });
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return new Promise((resolve) => this.pending.set(id, resolve));
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Opens a document and resolves with the first diagnostics published for it. */
  open(uri: string, text: string): Promise<Diagnostic[]> {
    const published = new Promise<Diagnostic[]>((resolve) => this.diagnostics.set(uri, [...(this.diagnostics.get(uri) ?? []), resolve]));
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return published;
  }

  async stop(): Promise<void> {
    await this.request('shutdown', null);
    this.notify('exit', null);
    await new Promise((resolve) => (this.child.exitCode !== null ? resolve(null) : this.child.once('exit', resolve)));
  }

  private send(message: unknown): void {
    const body = Buffer.from(JSON.stringify(message));
    this.child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())![1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString());
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.handle(message);
    }
  }

  private handle(message: { id?: number; method?: string; params?: any; result?: unknown }): void {
    if (message.method === 'textDocument/publishDiagnostics') {
      const waiting = this.diagnostics.get(message.params.uri) ?? [];
      this.diagnostics.set(message.params.uri, []);
      for (const resolve of waiting) resolve(message.params.diagnostics);
    } else if (message.method && message.id !== undefined) {
      // A request from the server: configuration gets our settings, the rest a plain ack.
      const result = message.method === 'workspace/configuration' ? message.params.items.map((item: { section?: string }) => (item.section ? this.settings[item.section] ?? null : this.settings)) : null;
      this.send({ jsonrpc: '2.0', id: message.id, result });
    } else if (message.id !== undefined) {
      this.pending.get(message.id)?.(message.result);
      this.pending.delete(message.id);
    }
  }
}

const SEED = new URL('../../playbooks/', import.meta.url);

describe('rollout schema in an editor (yaml-language-server as the client)', () => {
  let server: YamlLanguageServer;
  let dir: string;

  beforeAll(async () => {
    dir = workspace({});
    const schema = await rollout(['schema'], { cwd: dir });
    expect(schema.exitCode).toBe(0);
    const schemaFile = join(dir, 'rollout.schema.json');
    writeFileSync(schemaFile, schema.stdout);
    const yaml = { validate: true, completion: true, hover: true, schemas: { [pathToFileURL(schemaFile).href]: '*.yaml' }, schemaStore: { enable: false } };
    server = new YamlLanguageServer({ yaml, '[yaml]': {}, editor: {}, files: {}, http: {} });
    await server.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } }, textDocument: { publishDiagnostics: {}, completion: {} } },
    });
    server.notify('initialized', {});
    server.notify('workspace/didChangeConfiguration', { settings: { yaml } });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('flags a parameter the kind does not take and a duration that is not one, on their lines', async () => {
    const text = [
      'version: 1',
      'name: payments-api',
      'environments: { staging: {} }',
      'gates:',
      '  - id: smoke',
      '    uses: exec',
      '    with:',
      '      command: [make, smoke]',
      '      comand: [typo]',
      '    timeout: 5 minutes',
      '  - id: db-version',
      '    uses: postgres.query',
      '    with: { sql: "SHOW server_version_num", rows: 3 }',
      '    expect: ">= 150000"',
      '    retries: 2',
      '    interval: 30s',
      '  - { id: shell, uses: exec, with: { command: ["${vars.cmd}"], shell: "${vars.shell}" }, for: 5m }',
    ].join('\n');
    const diagnostics = await server.open(pathToFileURL(join(dir, 'bad.yaml')).href, text);
    const at = (line: number) => diagnostics.filter((d) => d.range.start.line === line).map((d) => d.message).join(' | ');
    expect(at(8)).toMatch(/comand.*not allowed/i);
    expect(at(9)).toMatch(/does not match the pattern/i);
    expect(at(12)).toMatch(/rows.*not allowed/i);
    // A valid parameter, a valid duration and a ${vars.X} reference raise nothing.
    expect(diagnostics.filter((d) => ![8, 9, 12].includes(d.range.start.line)).map((d) => `${d.range.start.line}: ${d.message}`)).toEqual([]);
  });

  it("flags a system an environment cannot hold, and a system's unknown setting", async () => {
    const text = ['version: 1', 'name: x', 'environments:', '  staging:', '    postgress: { url: "${secret:DATABASE_URL}" }', '    postgres: { url: "${secret:DATABASE_URL}", sslmod: require }', 'gates: []'].join('\n');
    const diagnostics = await server.open(pathToFileURL(join(dir, 'env.yaml')).href, text);
    const lines = diagnostics.map((d) => d.range.start.line);
    expect(diagnostics.find((d) => d.range.start.line === 4)?.message).toMatch(/postgress.*not allowed/i);
    expect(lines).toContain(5);
    expect(lines.every((line) => line === 4 || line === 5)).toBe(true);
  });

  it('completes the parameters of the kind a node uses, and the kinds', async () => {
    const uri = pathToFileURL(join(dir, 'complete.yaml')).href;
    const text = ['version: 1', 'name: x', 'environments: { ci: {} }', 'gates:', '  - id: probe', '    uses: http', '    with:', '      ', '  - id: other', '    uses: '].join('\n');
    await server.open(uri, text);
    const labels = async (line: number, character: number) =>
      ((await server.request('textDocument/completion', { textDocument: { uri }, position: { line, character } })) as { items: Array<{ label: string }> }).items.map((i) => i.label);
    expect(await labels(7, 6)).toEqual(expect.arrayContaining(['url', 'method']));
    expect(await labels(9, 10)).toEqual(expect.arrayContaining(['exec', 'postgres.query', 'kubernetes.rollout']));
  });

  it('seed playbooks from playbooks/ get no diagnostics', async () => {
    const names = readdirSync(SEED).filter((f) => f.endsWith('.yaml'));
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      const text = readFileSync(new URL(name, SEED), 'utf8');
      const diagnostics = await server.open(pathToFileURL(join(dir, name)).href, text);
      expect(diagnostics.map((d) => `${name}:${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
    }
  });
});

describe('rollout schema: durations as patterns', () => {
  const samples = ['500ms', '30s', '5m', '2h', '7d', '1.5h', '1h30m', '2m30s', '30m1h', '5', '5 minutes', '', 'm', '5mm', '${vars.soak}', '1h 30m', '0s', '0.0ms', '0h0m', '1h1h'];

  it('the pattern accepts exactly what the duration parser accepts', () => {
    const pattern = new RegExp(durationPattern(duration)!);
    for (const text of samples) expect(pattern.test(text), text).toBe(duration.safeParse(text).success);
  });

  it('so do the node fields (timeout, interval, for), and a duration parameter of a kind carries one', async () => {
    const fields = [nodeSchema.shape.timeout, nodeSchema.shape.interval, nodeSchema.shape.for].map((f) => f.unwrap());
    for (const field of fields) {
      const pattern = new RegExp(durationPattern(field as never)!);
      for (const text of samples) expect(pattern.test(text), text).toBe(field.safeParse(text).success);
    }
    const kinds = await Promise.all(Object.values(registry.kinds).map((load) => load()));
    const schema = buildPlaybookJsonSchema(kinds) as any;
    const backup = schema.definitions.node.allOf.find((c: any) => c.if.properties.uses.const === 'backup.fresh');
    const maxAge = backup.then.properties.with.properties.maxAge;
    expect(maxAge.description).toMatch(/How old/);
    expect(maxAge.anyOf[0].pattern).toBe(durationPattern(duration));
  });
});

describe('rollout schema: descriptions', () => {
  it('every field of the playbook, its stages, nodes, defaults and rollback has one (what an editor shows on hover)', async () => {
    const kinds = await Promise.all(Object.values(registry.kinds).map((load) => load()));
    const schema = buildPlaybookJsonSchema(kinds) as any;
    const sections = { top: schema, node: schema.definitions.node, stage: schema.properties.stages.items, defaults: schema.properties.defaults, rollback: schema.properties.rollback };
    for (const [name, section] of Object.entries(sections)) {
      for (const [key, property] of Object.entries(section.properties as Record<string, { description?: string }>)) expect(property.description, `${name}.${key}`).toBeTruthy();
    }
    const exec = schema.definitions.node.properties.uses.anyOf.find((k: { const?: string }) => k.const === 'exec');
    expect(exec.description).toMatch(/Run a command/);
  });
});
