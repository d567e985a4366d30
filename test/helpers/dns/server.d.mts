/** name (lower case) → type → answers: A/AAAA as addresses, CNAME a name, TXT a string, MX "prio host". */
export type Zone = Record<string, Partial<Record<'A' | 'AAAA' | 'CNAME' | 'TXT' | 'MX', string[]>>>;

export interface DnsServer {
  /** `127.0.0.1:PORT`, for the dns kind's `server`. */
  address: string;
  close(): Promise<void>;
}

/**
 * A tiny authoritative DNS server over UDP on a random loopback port, speaking the RFC 1035
 * wire format: one question per query, answers from `zone`, NXDOMAIN for unknown names and
 * an empty NOERROR answer for a known name without the asked type.
 */
export function startDnsServer(zone: Zone): Promise<DnsServer>;
