// Plain ESM so the seeds' fixture environment (scripts/fixture-env.mjs) serves the same zone
// format without a build; server.ts gives the tests its types.
import { createSocket } from 'node:dgram';

const TYPES = { 1: 'A', 28: 'AAAA', 5: 'CNAME', 16: 'TXT', 15: 'MX' };
const CODES = { A: 1, AAAA: 28, CNAME: 5, TXT: 16, MX: 15 };

/**
 * A tiny authoritative DNS server over UDP on a random loopback port, speaking the RFC 1035
 * wire format: one question per query, answers from `zone`, NXDOMAIN for unknown names and
 * an empty NOERROR answer for a known name without the asked type.
 */
export async function startDnsServer(zone) {
  const socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    const reply = answer(query, zone);
    if (reply) socket.send(reply, peer.port, peer.address);
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return { address: `127.0.0.1:${port}`, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

function answer(query, zone) {
  if (query.length < 12) return undefined;
  let offset = 12;
  const labels = [];
  while (query[offset] !== 0) {
    const length = query[offset];
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += length + 1;
  }
  const questionEnd = offset + 5;
  const qtype = query.readUInt16BE(offset + 1);
  const name = labels.join('.').toLowerCase();
  const type = TYPES[qtype];
  const records = zone[name];
  const rdatas = type && records?.[type] ? records[type].map((value) => encodeRdata(type, value)) : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  // QR, AA, RD copied; RCODE 3 (NXDOMAIN) for a name the zone does not know.
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | (records ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(rdatas.length, 6);
  const answers = rdatas.map((rdata) => {
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    fixed.writeUInt16BE(CODES[type], 2);
    fixed.writeUInt16BE(1, 4);
    fixed.writeUInt32BE(60, 6);
    fixed.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([fixed, rdata]);
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}

function encodeName(name) {
  return Buffer.concat([...name.split('.').filter(Boolean).map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')])), Buffer.from([0])]);
}

function encodeRdata(type, value) {
  switch (type) {
    case 'A':
      return Buffer.from(value.split('.').map(Number));
    case 'AAAA': {
      const [head = '', tail = ''] = value.split('::');
      const left = head ? head.split(':') : [];
      const right = tail ? tail.split(':') : [];
      const groups = value.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
      const bytes = Buffer.alloc(16);
      groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
      return bytes;
    }
    case 'CNAME':
      return encodeName(value);
    case 'TXT': {
      const text = Buffer.from(value, 'utf8');
      return Buffer.concat([Buffer.from([text.length]), text]);
    }
    case 'MX': {
      const [priority, exchange] = value.split(' ');
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(Number(priority));
      return Buffer.concat([prefix, encodeName(exchange)]);
    }
  }
}
