import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { z } from 'zod';
import { loadCa, maskUrl, type CheckContext } from '../../src/sdk/index.js';

export type Reply = string | number | null | Reply[] | { redisError: string };

/** The connection parameters every redis.* kind shares. */
export const connectionParams = {
  url: z
    .string()
    .regex(/^rediss?:\/\/[^/]/, 'expected redis://host:port, or rediss://host:port for TLS')
    .describe('redis://[user[:password]@]host[:port][/db], or rediss:// for TLS; a password here is masked in messages, prefer `password`.'),
  password: z.string().optional().describe('The AUTH password, e.g. "${secret:REDIS_PASSWORD}"; never written to the evidence.'),
  username: z.string().optional().describe('An ACL user for AUTH (Redis 6+); default: the URL\'s user, else the default user.'),
  tls: z
    .strictObject({
      ca: z.string().optional().describe('The CA to verify the server against: PEM text or a file path relative to the playbook; default: the system CAs.'),
      cert: z.string().optional().describe('A client certificate (PEM text or path), for a Redis with tls-auth-clients.'),
      key: z.string().optional().describe('The client certificate\'s private key (PEM text, e.g. "${secret:REDIS_TLS_KEY}", or a path).'),
      servername: z.string().optional().describe('The name the server certificate must carry (SNI); default: the URL\'s host when it is a name.'),
      insecureSkipVerify: z.boolean().optional().describe('Accept any server certificate (a lab server).'),
    })
    .refine((t) => (t.cert === undefined) === (t.key === undefined), 'a client certificate needs both `cert` and `key`')
    .optional()
    .describe('For rediss:// URLs: the CA, a client certificate and key, the expected server name.'),
};

type TlsParams = { ca?: string; cert?: string; key?: string; servername?: string; insecureSkipVerify?: boolean };

export interface RedisConnection {
  display: string;
  command(...args: string[]): Promise<Reply>;
  close(): void;
}

export type ConnectFailure = { down: string } | { error: string };

/**
 * One connection speaking RESP2, for a handful of commands per node. Replies come in order, so
 * a queue of waiters matched against parsed replies is enough.
 */
export async function openRedis(p: { url: string; password?: string; username?: string; tls?: TlsParams }, ctx: CheckContext): Promise<RedisConnection | ConnectFailure> {
  const url = new URL(p.url);
  const display = maskUrl(url).replace(/\/$/, '');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || 6379);
  const secure = url.protocol === 'rediss:';
  if (p.tls && !secure) return { error: `${display}: \`tls\` is set but the URL is redis:// — write rediss:// to connect with TLS` };
  const tlsOptions = secure ? await readTlsOptions(p.tls ?? {}, host, ctx) : undefined;
  if (tlsOptions && 'error' in tlsOptions) return tlsOptions;
  const socket = await new Promise<Socket | ConnectFailure>((resolve) => {
    const s = tlsOptions ? connectTls({ host, port, ...tlsOptions }) : connectTcp({ host, port });
    const onAbort = (): void => {
      s.destroy();
      resolve({ error: `${display}: no connection within ${ctx.timeoutMs}ms` });
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    s.once(tlsOptions ? 'secureConnect' : 'connect', () => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(s);
    });
    s.once('error', (error: NodeJS.ErrnoException) => {
      ctx.signal.removeEventListener('abort', onAbort);
      // A certificate that does not verify is not "Redis is down": the answer cannot be trusted.
      if (tlsOptions && isTlsRefusal(error)) resolve({ error: `${display}: TLS: ${error.code ?? error.message}` });
      else resolve({ down: `${display}: ${error.code ?? error.message}` });
    });
  });
  if ('down' in socket || 'error' in socket) return socket;
  const connection = wrap(socket, display, ctx.signal);
  const password = p.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  const username = p.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  if (password !== undefined) {
    const reply = await connection.command('AUTH', ...(username ? [username] : []), password);
    if (isRedisError(reply)) {
      connection.close();
      // Redis' own message names no secret ("WRONGPASS invalid username-password pair").
      return { error: `${display}: AUTH refused: ${reply.redisError}` };
    }
  }
  const db = url.pathname.replace(/^\//, '');
  if (db) {
    const reply = await connection.command('SELECT', db);
    if (isRedisError(reply)) {
      connection.close();
      return { error: `${display}: SELECT ${db}: ${reply.redisError}` };
    }
  }
  return connection;
}

async function readTlsOptions(t: TlsParams, host: string, ctx: CheckContext) {
  const read: Record<string, string | undefined> = {};
  for (const field of ['ca', 'cert', 'key'] as const) {
    const text = await loadCa(t[field], ctx.cwd, `tls.${field}`);
    if (typeof text === 'object') return text;
    read[field] = text;
  }
  const servername = t.servername ?? (isIP(host) ? undefined : host);
  return { ca: read.ca, cert: read.cert, key: read.key, servername, rejectUnauthorized: t.insecureSkipVerify !== true };
}

/** Handshake refusals (an untrusted or foreign certificate, a client certificate refused), as opposed to a closed port. */
function isTlsRefusal(error: NodeJS.ErrnoException): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|ERR_SSL|HOSTNAME|ALERT/i.test(`${error.code ?? ''} ${error.message}`);
}

export function isRedisError(reply: Reply): reply is { redisError: string } {
  return typeof reply === 'object' && reply !== null && !Array.isArray(reply);
}

function wrap(socket: Socket, display: string, signal: AbortSignal): RedisConnection {
  let buffer = Buffer.alloc(0);
  const waiters: Array<(reply: Reply) => void> = [];
  const failAll = (message: string): void => {
    for (const waiter of waiters.splice(0)) waiter({ redisError: message });
  };
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const parsed = parseReply(buffer, 0);
      if (!parsed) break;
      buffer = buffer.subarray(parsed.end);
      waiters.shift()?.(parsed.reply);
    }
  });
  socket.on('error', (error) => failAll(`connection lost: ${error.message}`));
  socket.on('close', () => failAll('connection closed'));
  const onAbort = (): void => {
    failAll('timed out');
    socket.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    display,
    command: (...args) =>
      new Promise((resolve) => {
        if (socket.destroyed) return resolve({ redisError: 'connection closed' });
        waiters.push(resolve);
        socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
      }),
    close: () => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
    },
  };
}

function parseReply(buffer: Buffer, start: number): { reply: Reply; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[start]!);
  const line = buffer.toString('utf8', start + 1, lineEnd);
  switch (type) {
    case '+':
      return { reply: line, end: lineEnd + 2 };
    case '-':
      return { reply: { redisError: line }, end: lineEnd + 2 };
    case ':':
      return { reply: Number(line), end: lineEnd + 2 };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, end: lineEnd + 2 };
      if (buffer.length < lineEnd + 2 + length + 2) return undefined;
      return { reply: buffer.toString('utf8', lineEnd + 2, lineEnd + 2 + length), end: lineEnd + 2 + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, end: lineEnd + 2 };
      const items: Reply[] = [];
      let end = lineEnd + 2;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, end);
        if (!item) return undefined;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
    default:
      return { reply: { redisError: `unexpected reply type ${JSON.stringify(type)}` }, end: buffer.length };
  }
}

/** INFO's `key:value` lines as a map. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/** Runs `use` on a fresh connection; a refused connection is `down`, which each kind maps. */
export async function withRedis<T>(p: { url: string; password?: string; username?: string; tls?: TlsParams }, ctx: CheckContext, use: (redis: RedisConnection) => Promise<T>): Promise<T | ConnectFailure> {
  const redis = await openRedis(p, ctx);
  if ('down' in redis || 'error' in redis) return redis;
  try {
    return await use(redis);
  } finally {
    redis.close();
  }
}
