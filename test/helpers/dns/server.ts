// The DNS test server lives in server.mjs (plain ESM, also used by scripts/fixture-env.mjs).
export { startDnsServer, type DnsServer, type Zone } from './server.mjs';
