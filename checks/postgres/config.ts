import type pg from 'pg';
import { loadCa, maskUrl, type EvaluationError } from '../../src/sdk/index.js';
import type { PostgresSettings } from './system.js';

// From an environment's settings to the driver's pool config: libpq's meanings of sslmode and
// sslrootcert, the password kept out of every label. Changes with libpq, not with sessions.

/** libpq's sslmode meanings, applied explicitly (pg's own parsing of sslmode differs). */
function sslOption(mode: string | undefined, ca: string | undefined): pg.PoolConfig['ssl'] | string {
  switch (mode) {
    case undefined:
    case 'disable':
      return false;
    case 'require':
      return ca ? { ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: false };
    case 'verify-ca':
      if (!ca) return 'sslmode verify-ca needs sslrootcert (the CA certificate file)';
      return { ca, checkServerIdentity: () => undefined };
    case 'verify-full':
      return ca ? { ca } : { rejectUnauthorized: true };
    default:
      return `sslmode ${mode} is not supported; use disable, require, verify-ca or verify-full`;
  }
}

export async function buildConfig(s: PostgresSettings, cwd: string): Promise<{ config: pg.PoolConfig; label: string; password?: string } | EvaluationError> {
  let url: URL;
  try {
    url = new URL(s.url);
  } catch {
    return { error: `postgres url is not a URL: ${maskUrl(s.url)} (expected postgres://user:password@host:5432/database)` };
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return { error: `postgres url must start with postgres:// or postgresql://, got ${maskUrl(s.url)}` };
  }
  // sslmode/sslrootcert in the URL are applied by us, the setting winning over the URL.
  const mode = s.sslmode ?? url.searchParams.get('sslmode') ?? undefined;
  const rootcert = s.sslrootcert ?? url.searchParams.get('sslrootcert') ?? undefined;
  url.searchParams.delete('sslmode');
  url.searchParams.delete('sslrootcert');
  const ca = await loadCa(rootcert, cwd, 'sslrootcert');
  if (typeof ca === 'object') return ca;
  const ssl = sslOption(mode, ca);
  if (typeof ssl === 'string') return { error: ssl };
  const password = url.password ? decodePercent(url.password) : undefined;
  // The driver decodes the password strictly: hand it one that is encoded exactly once.
  if (password !== undefined) url.password = encodeURIComponent(password);
  return {
    label: maskUrl(url.toString()),
    password,
    config: {
      connectionString: url.toString(),
      ssl,
      max: s.poolSize,
      connectionTimeoutMillis: s.connectTimeout,
      idleTimeoutMillis: 30_000,
      application_name: s.applicationName,
    },
  };
}

/** A bare `%` in a typed password means itself (decodeURIComponent would throw on it). */
function decodePercent(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
