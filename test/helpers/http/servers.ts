import http from 'node:http';
import https from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { runProcess } from '../../../src/sdk/index.js';

export interface TestServer {
  /** `http://127.0.0.1:PORT` or `https://...`, no trailing slash. */
  url: string;
  port: number;
  /** TCP connections accepted so far (to see keep-alive reuse). */
  connections(): number;
  close(): Promise<void>;
}

export interface Certificate {
  dir: string;
  keyPath: string;
  certPath: string;
  key: string;
  cert: string;
  remove(): Promise<void>;
}

/**
 * A self-signed certificate for 127.0.0.1/localhost valid for `days` from now, made with
 * openssl in a temp dir: keys are generated per test run and never committed.
 */
export async function createCertificate(days: number): Promise<Certificate> {
  const dir = await mkdtemp(join(tmpdir(), 'rollout-http-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  const result = await runProcess([
    'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', String(days), '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  if (result.exitCode !== 0) throw new Error(`openssl failed: ${result.stderr}${result.startError ?? ''}`);
  return {
    dir,
    keyPath,
    certPath,
    key: await readFile(keyPath, 'utf8'),
    cert: await readFile(certPath, 'utf8'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Starts a real server on a random loopback port; `tls` makes it HTTPS. */
export async function startServer(handler: http.RequestListener, tls?: { key: string; cert: string }): Promise<TestServer> {
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening: bound, then released. */
export async function findClosedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
