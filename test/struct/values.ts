// Random values for any struct layout (deterministic by seed), for equivalence tests.
import type { StructFieldType, StructLayout } from "../../runtime/struct/layout.js";

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

function randomBig(r: () => number, bits: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(r() * 65536));
  v = BigInt.asUintN(bits, v);
  return signed ? BigInt.asIntN(bits, v) : v;
}

export function randomValue(t: StructFieldType, r: () => number): unknown {
  switch (t.kind) {
    case "scalar": {
      if (t.name === "bool") return r() < 0.5;
      if (t.asNumber) return Number(randomBig(r, 52, t.signed));
      const v = randomBig(r, t.size * 8, t.signed);
      return t.size === 8 ? v : Number(v);
    }
    case "char": {
      const n = Math.floor(r() * (t.length + 1));
      return Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join("");
    }
    case "array": return Array.from({ length: t.length }, () => randomValue(t.element, r));
    case "struct": return randomStruct(t, r);
    default: { const never: never = t; return never; }
  }
}

export function randomStruct(l: StructLayout, r: () => number): Record<string, unknown> {
  return Object.fromEntries(l.fields.map((f) => [f.name, randomValue(f.type, r)]));
}
