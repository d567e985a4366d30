import { Redactor } from '../secrets/redactor.js';

/** The process-wide redactor: every byte to stdout and stderr passes through it. */
export const redactor = new Redactor();

let installed = false;
const flushers: Array<() => void> = [];

/** Routes stdout and stderr through the redactor (streaming: split secrets are caught). */
export function installRedaction(): void {
  if (installed || redactor.size === 0) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as (chunk: string) => boolean;
    const redacting = redactor.stream((text) => void original(text));
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      clearTimeout(timer);
      redacting.flush();
    };
    flushers.push(flush);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      // Bytes as they come: a character cut across two writes is joined by the stream.
      redacting.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk));
      // A live terminal must not lag: release what is held back once writes pause.
      clearTimeout(timer);
      timer = setTimeout(flush, 30);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
}

export async function flushOutput(): Promise<void> {
  for (const flush of flushers) flush();
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => (stream.writableLength ? stream.once('drain', () => resolve()) : resolve()))));
}

export function out(text: string): void {
  process.stdout.write(text);
}

export function err(text: string): void {
  process.stderr.write(text);
}
