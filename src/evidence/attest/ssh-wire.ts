/**
 * Reads SSH's wire encoding (RFC 4251: uint32, length-prefixed strings). A read past the end
 * returns undefined, so a truncated or hostile key is a value to report, not a throw.
 */
export class WireReader {
  private at = 0;
  constructor(private readonly bytes: Buffer) {}

  uint32(): number | undefined {
    if (this.at + 4 > this.bytes.length) return undefined;
    const value = this.bytes.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }

  string(): Buffer | undefined {
    const length = this.uint32();
    if (length === undefined || this.at + length > this.bytes.length) return undefined;
    const value = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }

  text(): string | undefined {
    return this.string()?.toString('latin1');
  }
}

/** A length-prefixed SSH string. */
export function wireString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
