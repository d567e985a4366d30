import { connect as connectTcp } from 'node:net';
import { connect as connectTls, type PeerCertificate } from 'node:tls';
import { lookup } from 'node:dns/promises';
import { classifyError, type Failure } from './client.js';

export interface CertificateInfo {
  validTo: Date;
  validFrom: Date;
  subject: string;
  issuer: string;
  /** Set when the chain or host name does not verify against the trusted CAs. */
  verifyError?: string;
}

/**
 * Reads the server certificate with a bare TLS handshake: no HTTP request is sent, so no
 * header (and no credential in one) reaches a server whose certificate we have not trusted.
 */
export function readServerCertificate(url: URL, ca: string | undefined, signal: AbortSignal): Promise<CertificateInfo | Failure> {
  if (signal.aborted) return Promise.resolve({ failure: 'aborted', message: 'aborted' });
  return new Promise((resolve) => {
    const host = hostOf(url);
    const isIp = /^[\d.]+$|:/.test(host);
    const socket = connectTls({
      host,
      port: Number(url.port || 443),
      servername: isIp ? undefined : host,
      ca,
      // We judge trust ourselves below, after reading the dates, so an expired certificate
      // is observed (negative days) rather than hidden behind a handshake error.
      rejectUnauthorized: false,
    });
    const onAbort = (): void => {
      socket.destroy();
      resolve({ failure: 'aborted', message: 'aborted' });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      const cert: PeerCertificate = socket.getPeerCertificate();
      const authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined;
      socket.end();
      if (!cert || !cert.valid_to) {
        resolve({ failure: 'tls', message: 'the server presented no certificate' });
        return;
      }
      resolve({
        validTo: new Date(cert.valid_to),
        validFrom: new Date(cert.valid_from),
        subject: formatName(cert.subject),
        issuer: formatName(cert.issuer),
        verifyError: authorizationError,
      });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(classifyError(error, signal));
    });
  });
}

/** For rollback dry runs: the host resolves and accepts a TCP connection; nothing is sent. */
export async function probeTcp(url: URL, signal: AbortSignal): Promise<{ ok: boolean; message: string }> {
  const host = hostOf(url);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  let address: string;
  try {
    address = (await lookup(host)).address;
  } catch (error) {
    return { ok: false, message: `${host}: host not found (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  return new Promise((resolve) => {
    const socket = connectTcp({ host: address, port, signal });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true, message: `${host}:${port} (${address}) accepts connections` });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve({ ok: false, message: `${host}:${port}: ${classifyError(error, signal).message}` });
    });
  });
}

function hostOf(url: URL): string {
  // URL keeps IPv6 literals bracketed; sockets want them bare.
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function formatName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : value}`)
    .join(', ');
}
