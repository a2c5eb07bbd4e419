/** Seeded pseudo-random numbers for tests: the same seed gives the same cases on every machine. */

/** mulberry32: floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same stream as unsigned 32-bit integers. */
export function u32Stream(seed: number): () => number {
  const rnd = mulberry32(seed);
  return () => rnd() * 4294967296;
}
