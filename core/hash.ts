/**
 * A small, synchronous, platform-free hash: 64-bit FNV-1a over the UTF-8 bytes of the input.
 *
 * Why not Web Crypto: `crypto.subtle.digest` is async and differs by runtime, while cache keys,
 * catalog versions and pool routing are computed on hot, synchronous paths in the edge, the
 * generator and the admin alike, and must agree byte for byte. FNV-1a is not cryptographic; nothing
 * here relies on it being unguessable (HMAC checks use Web Crypto where they live).
 *
 * The state is two 32-bit words, and each step's product is formed so that every intermediate stays
 * an exact integer in a double (no BigInt on the hot path), in plain locals (a closure over the
 * state kept it in a heap context and made the hash several times slower).
 */

// FNV-1a 64 offset basis 0xcbf29ce484222325 as high and low words.
const BASIS_HI = 0xcbf29ce4;
const BASIS_LO = 0x84222325;
// FNV 64 prime 0x00000100000001b3 = 2^40 + 0x1b3: h * prime = h * 0x1b3 + (h << 40).
const PRIME_LOW = 0x01b3;

// The last fnv64 result (a hash is a leaf call on one thread: nothing runs between set and read).
let outHi = 0;
let outLo = 0;

/** FNV-1a 64 of the input's UTF-8 bytes into outHi/outLo. */
function fnv64(input: string): void {
  let hi = BASIS_HI;
  let lo = BASIS_LO;
  // UTF-8 encoded on the fly (TextEncoder is not in core's ES-only lib, and this avoids an allocation).
  for (let i = 0; i < input.length; i++) {
    let code = input.charCodeAt(i);
    let bytes: number; // up to 4 bytes, first byte lowest
    let n: number;
    if (code < 0x80) {
      bytes = code;
      n = 1;
    } else {
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < input.length) {
        const low = input.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      if (code < 0x800) {
        bytes = (0xc0 | (code >> 6)) | ((0x80 | (code & 63)) << 8);
        n = 2;
      } else if (code < 0x10000) {
        // A lone surrogate is encoded as U+FFFD, as TextEncoder does.
        if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
        bytes = (0xe0 | (code >> 12)) | ((0x80 | ((code >> 6) & 63)) << 8) | ((0x80 | (code & 63)) << 16);
        n = 3;
      } else {
        bytes = ((0xf0 | (code >> 18)) | ((0x80 | ((code >> 12) & 63)) << 8) | ((0x80 | ((code >> 6) & 63)) << 16) | ((0x80 | (code & 63)) << 24)) >>> 0;
        n = 4;
      }
    }
    for (let k = 0; k < n; k++) {
      lo = (lo ^ (bytes & 0xff)) >>> 0;
      bytes >>>= 8;
      // lo * 0x1b3 from lo's 16-bit halves, so every intermediate is a small integer (no double
      // division or floor per byte): below = low half's product, mid = high half's plus its carry.
      const below = (lo & 0xffff) * PRIME_LOW;
      const mid = (lo >>> 16) * PRIME_LOW + (below >>> 16);
      // High word: hi * 0x1b3 mod 2^32, the low word's carry (mid's bits past 16) and (lo << 40)'s
      // share, lo << 8 mod 2^32; the sum stays under 2^34, exact before >>> 0.
      hi = (Math.imul(hi, PRIME_LOW) + (mid >>> 16) + (lo << 8)) >>> 0;
      lo = (((mid & 0xffff) << 16) | (below & 0xffff)) >>> 0;
    }
  }
  outHi = hi;
  outLo = lo;
}

// Character codes of the lowercase hex digits.
const HEX = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/** 16 lowercase hex characters; the same output in Node, workerd and browsers. */
export function hashString(input: string): string {
  fnv64(input);
  const hi = outHi;
  const lo = outLo;
  // One string made from its 16 character codes (two toString(16) and padStart calls and their
  // concatenation took longer than hashing a 40-character key).
  return String.fromCharCode(
    HEX[hi >>> 28]!, HEX[(hi >>> 24) & 15]!, HEX[(hi >>> 20) & 15]!, HEX[(hi >>> 16) & 15]!,
    HEX[(hi >>> 12) & 15]!, HEX[(hi >>> 8) & 15]!, HEX[(hi >>> 4) & 15]!, HEX[hi & 15]!,
    HEX[lo >>> 28]!, HEX[(lo >>> 24) & 15]!, HEX[(lo >>> 20) & 15]!, HEX[(lo >>> 16) & 15]!,
    HEX[(lo >>> 12) & 15]!, HEX[(lo >>> 8) & 15]!, HEX[(lo >>> 4) & 15]!, HEX[lo & 15]!,
  );
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
  fnv64(input);
  // Both halves of hashString's 16 hex characters, folded.
  // The remainder by division and floor: `%` on a uint32 above 2^31 (a heap number) calls the C
  // library's fmod, which loops over the exponent gap (about 1,300 instructions per call).
  const h = fmix32(outHi ^ outLo);
  return h - Math.floor(h / buckets) * buckets;
}
