/**
 * A small, synchronous, platform-free hash: 64-bit FNV-1a over the UTF-8 bytes of the input.
 *
 * Why not Web Crypto: `crypto.subtle.digest` is async and differs by runtime, while cache keys,
 * catalog versions and pool routing are computed on hot, synchronous paths in the edge, the
 * generator and the admin alike, and must agree byte for byte. FNV-1a is not cryptographic; nothing
 * here relies on it being unguessable (HMAC checks use Web Crypto where they live).
 *
 * The 64-bit product is computed on four 16-bit limbs so every intermediate stays an exact integer
 * in a double (no BigInt on the hot path).
 */

// FNV-1a 64 offset basis 0xcbf29ce484222325, as 16-bit limbs, least significant first.
const OFFSET_BASIS = [0x2325, 0x8422, 0x9ce4, 0xcbf2] as const;
// FNV 64 prime 0x00000100000001b3 has only two non-zero limbs: limb 0 = 0x01b3 and limb 2 = 0x0100.
const PRIME_LOW = 0x01b3;
const PRIME_LIMB2 = 0x0100;

const HEX = "0123456789abcdef";

function hex16(limb: number): string {
  return HEX[(limb >>> 12) & 15]! + HEX[(limb >>> 8) & 15]! + HEX[(limb >>> 4) & 15]! + HEX[limb & 15]!;
}

/** 16 lowercase hex characters; the same output in Node, workerd and browsers. */
export function hashString(input: string): string {
  let h0: number = OFFSET_BASIS[0];
  let h1: number = OFFSET_BASIS[1];
  let h2: number = OFFSET_BASIS[2];
  let h3: number = OFFSET_BASIS[3];

  const step = (byte: number): void => {
    h0 ^= byte;
    // (h3 h2 h1 h0) * (0 0x0100 0 0x01b3) mod 2^64, limb by limb with carries.
    const t0 = h0 * PRIME_LOW;
    const t1 = h1 * PRIME_LOW + (t0 >>> 16);
    const t2 = h2 * PRIME_LOW + h0 * PRIME_LIMB2 + Math.floor(t1 / 65536);
    const t3 = h3 * PRIME_LOW + h1 * PRIME_LIMB2 + Math.floor(t2 / 65536);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  };

  // UTF-8 encode on the fly (TextEncoder is not in core's ES-only lib, and this avoids an allocation).
  for (let i = 0; i < input.length; i++) {
    let code = input.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < input.length) {
      const low = input.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) {
      step(code);
    } else if (code < 0x800) {
      step(0xc0 | (code >> 6));
      step(0x80 | (code & 63));
    } else if (code < 0x10000) {
      // A lone surrogate is encoded as U+FFFD, as TextEncoder does.
      if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
      step(0xe0 | (code >> 12));
      step(0x80 | ((code >> 6) & 63));
      step(0x80 | (code & 63));
    } else {
      step(0xf0 | (code >> 18));
      step(0x80 | ((code >> 12) & 63));
      step(0x80 | ((code >> 6) & 63));
      step(0x80 | (code & 63));
    }
  }
  return hex16(h3) + hex16(h2) + hex16(h1) + hex16(h0);
}

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A bucket 0..buckets-1 for the input (pool routing, holdout groups); the same input lands in the
 * same bucket on every runtime. FNV-1a's bits are poorly mixed for inputs that differ only in their
 * last character ("shopper-1", "shopper-2"), so both halves are folded and finalised before the
 * modulo; without that, 5,000 such ids filled the odd buckets at a third of the rate of the even ones.
 */
export function bucketOf(input: string, buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1) {
    throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
  }
  const h = hashString(input);
  const mixed = fmix32(parseInt(h.slice(0, 8), 16) ^ parseInt(h.slice(8), 16));
  return mixed % buckets;
}
