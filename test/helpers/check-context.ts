import type { CheckContext, ConnectionInfo } from '../../src/sdk/index.js';

export interface TestContextOptions {
  nodeId?: string;
  timeoutMs?: number;
  at?: Date;
  observe?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** system → settings of the chosen connection */
  connections?: Record<string, Record<string, unknown>>;
}

/**
 * A CheckContext for calling a kind's run() directly in a test, with the same contract the
 * runner gives: an AbortSignal bounded by timeoutMs, shared resources closed by close().
 */
export function createCheckContext(options: TestContextOptions = {}): CheckContext & { logs: string[]; close(): Promise<void> } {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
  const resources = new Map<string, { value: Promise<unknown>; close?: (value: any) => Promise<void> | void }>();
  const logs: string[] = [];
  return {
    nodeId: options.nodeId ?? 'test-node',
    signal: controller.signal,
    timeoutMs,
    now: () => options.at ?? new Date(),
    at: options.at,
    observe: options.observe,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? { ...process.env },
    connection(system: string): ConnectionInfo | undefined {
      const settings = options.connections?.[system];
      return settings ? { name: 'default', settings } : undefined;
    },
    async shared<T>(key: string, create: () => Promise<T> | T, close?: (value: T) => Promise<void> | void): Promise<T> {
      let entry = resources.get(key);
      if (!entry) {
        entry = { value: Promise.resolve(create()), close };
        resources.set(key, entry);
      }
      return entry.value as Promise<T>;
    },
    log: (line: string) => void logs.push(line),
    logs,
    async close() {
      clearTimeout(timer);
      for (const entry of resources.values()) await entry.close?.(await entry.value);
      resources.clear();
    },
  };
}
