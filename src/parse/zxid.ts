import { ParseError } from './errors.js';
import type { Zxid } from './types.js';

const MAX_ZXID = (1n << 64n) - 1n;
const HEX = /^0[xX][0-9a-fA-F]+$/;
const DECIMAL = /^[0-9]+$/;

/** Builds a {@link Zxid} from its 64-bit value; throws ParseError outside 0..2^64-1. */
export function zxidFromValue(value: bigint): Zxid {
  if (value < 0n || value > MAX_ZXID) {
    throw new ParseError(`zxid ${value} is outside the unsigned 64-bit range`);
  }
  return { value, epoch: Number(value >> 32n), counter: Number(value & 0xffffffffn) };
}

/**
 * Parses `0x…` hex (what `srvr`/`stat` print via Long.toHexString, so never negative) or plain decimal
 * (AdminServer's `last_processed_zxid`) into a {@link Zxid}; no whitespace, signs or other bases.
 */
export function parseZxid(text: string): Zxid {
  if (HEX.test(text)) return zxidFromValue(BigInt(text.toLowerCase()));
  if (DECIMAL.test(text)) return zxidFromValue(BigInt(text));
  throw new ParseError(`not a zxid: ${JSON.stringify(text.slice(0, 40))}`);
}

/** Formats a zxid the way ZooKeeper prints it: `0x` + lowercase hex, no padding (`0x0`, `0x100000007`). */
export function formatZxid(z: Zxid): string {
  return `0x${z.value.toString(16)}`;
}
