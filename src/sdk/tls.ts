import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { EvaluationError } from './types.js';

/** `tls:` of every family that speaks HTTPS (`http`, `prometheus`): one schema, one meaning. */
export const tlsSettings = z.strictObject({
  insecureSkipVerify: z.boolean().optional().describe('Accept any certificate (a self-signed lab or staging server).'),
  ca: z.string().optional().describe('A certificate authority to trust: the PEM text itself, or a PEM file path relative to the playbook.'),
});

export type TlsSettings = z.output<typeof tlsSettings>;

/** The PEM of a `ca` setting (text as is, a path read relative to `cwd`); unreadable is an error value. */
export async function loadCa(ca: string | undefined, cwd: string, field = 'tls.ca'): Promise<string | undefined | EvaluationError> {
  if (ca === undefined || ca.includes('-----BEGIN')) return ca;
  const path = isAbsolute(ca) ? ca : resolve(cwd, ca);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    return { error: `cannot read ${field} ${path}: ${(error as Error).message}` };
  }
}

/**
 * A URL safe for messages and evidence: the password becomes `***`, the host and user stay
 * (`https://user:***@host/`). Text that is not a URL (a libpq string) loses `password=` too.
 */
export function maskUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(typeof url === 'string' ? url : url.href);
  } catch {
    return String(url).replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@').replace(/(password\s*=\s*)('[^']*'|\S+)/gi, '$1***');
  }
  if (parsed.password) parsed.password = '***';
  return parsed.href;
}
