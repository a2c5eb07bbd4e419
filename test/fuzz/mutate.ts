/**
 * Seeded mutations of valid BPF ELF objects, aimed at the places a hostile or corrupt file
 * lies: random bit flips, truncation, section header fields (size, offset, link, info,
 * entsize, name), ELF header counts, symbol and relocation entries, BTF header lengths, type
 * records (reference loops, huge vlen, unknown kinds) and .BTF.ext record sizes and counts.
 */

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Section {
  readonly header: number;
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

/** Section headers of a (valid) ELF64 LE object, for aiming mutations. */
function sections(b: Uint8Array): Section[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shoff = Number(v.getBigUint64(40, true));
  const shnum = v.getUint16(60, true);
  const shstr = v.getUint16(62, true);
  const strOff = Number(v.getBigUint64(shoff + shstr * 64 + 24, true));
  const out: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * 64;
    let end = strOff + v.getUint32(h, true);
    let name = "";
    while (b[end] !== 0 && end < b.length) name += String.fromCharCode(b[end++]!);
    out.push({ header: h, name, offset: Number(v.getBigUint64(h + 24, true)), size: Number(v.getBigUint64(h + 32, true)) });
  }
  return out;
}

export type MutationKind =
  | "bitflip" | "truncate" | "section-field" | "elf-header" | "symbol" | "relocation"
  | "btf-header" | "btf-type-loop" | "btf-vlen" | "btf-kind" | "btf-bytes" | "btf-ext";

export const MUTATIONS: readonly MutationKind[] = [
  "bitflip", "truncate", "section-field", "elf-header", "symbol", "relocation",
  "btf-header", "btf-type-loop", "btf-vlen", "btf-kind", "btf-bytes", "btf-ext",
];

const LIES = [0, 1, 7, 8, 0xff, 0xffff, 0x7fffffff, 0xffffffff];

export interface Mutant {
  readonly kind: MutationKind;
  readonly bytes: Uint8Array;
}

/** One mutant of `base` (a valid object), chosen by `r`. */
export function mutate(base: Uint8Array, r: () => number): Mutant {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (n: number): number => Math.floor(r() * n);
  const kind = pick(MUTATIONS);
  const b = base.slice();
  const v = new DataView(b.buffer);
  const secs = sections(base);
  const lie = (width: 2 | 4 | 8, at: number): void => {
    const choice = r() < 0.5 ? pick(LIES) : r() < 0.5 ? b.length + int(64) - 32 : int(0x100000000);
    if (at < 0 || at + width > b.length) return;
    if (width === 2) v.setUint16(at, choice & 0xffff, true);
    else if (width === 4) v.setUint32(at, choice >>> 0, true);
    else v.setBigUint64(at, r() < 0.1 ? 0xffffffffffffffffn : BigInt(Math.max(0, choice)), true);
  };
  const named = (n: string): Section | undefined => secs.find((s) => s.name === n);
  const btf = named(".BTF");
  const ext = named(".BTF.ext");
  switch (kind) {
    case "bitflip":
      for (let i = 1 + int(8); i > 0; i--) b[int(b.length)]! ^= 1 << int(8);
      return { kind, bytes: b };
    case "truncate":
      return { kind, bytes: b.slice(0, int(b.length)) };
    case "section-field": {
      const s = pick(secs);
      const [off, w] = pick([[0, 4], [4, 4], [24, 8], [32, 8], [40, 4], [44, 4], [56, 8]] as const);
      lie(w, s.header + off);
      return { kind, bytes: b };
    }
    case "elf-header": {
      const [off, w] = pick([[40, 8], [58, 2], [60, 2], [62, 2], [18, 2]] as const);
      lie(w, off);
      return { kind, bytes: b };
    }
    case "symbol": {
      const s = named(".symtab");
      if (!s || s.size < 48) return { kind, bytes: b };
      const e = s.offset + 24 * (1 + int(s.size / 24 - 1));
      const [off, w] = pick([[0, 4], [4, 2], [6, 2], [8, 8], [16, 8]] as const);
      lie(w, e + off);
      return { kind, bytes: b };
    }
    case "relocation": {
      const rels = secs.filter((s) => s.name.startsWith(".rel") && s.size >= 16);
      if (!rels.length) return { kind, bytes: b };
      const s = pick(rels);
      const e = s.offset + 16 * int(s.size / 16);
      if (r() < 0.5) lie(8, e);
      else v.setUint32(e + 8 + (r() < 0.5 ? 4 : 0), r() < 0.5 ? pick(LIES) : int(64), true);
      return { kind, bytes: b };
    }
    case "btf-header":
      if (btf) lie(4, btf.offset + 4 * (1 + int(5)));
      return { kind, bytes: b };
    case "btf-type-loop":
    case "btf-vlen":
    case "btf-kind": {
      if (!btf) return { kind, bytes: b };
      const types = btfTypeOffsets(base, btf);
      if (!types.length) return { kind, bytes: b };
      const idx = int(types.length);
      const at = types[idx]!;
      if (kind === "btf-type-loop") {
        // a reference to itself or to a neighbour: PTR/TYPEDEF/CONST cycles, member loops
        v.setUint32(at + 8, r() < 0.5 ? idx + 1 : idx + int(3), true);
      } else if (kind === "btf-vlen") {
        v.setUint16(at + 4, pick([0xffff, 0x8000, int(0x10000)]), true);
      } else {
        v.setUint8(at + 7, (v.getUint8(at + 7) & 0xe0) | int(32));
      }
      return { kind, bytes: b };
    }
    case "btf-bytes":
      if (btf && btf.size > 0) for (let i = 1 + int(4); i > 0; i--) b[btf.offset + int(btf.size)]! ^= 1 << int(8);
      return { kind, bytes: b };
    case "btf-ext":
      if (ext && ext.size > 32) {
        const hdr = v.getUint32(ext.offset + 4, true);
        const funcOff = v.getUint32(ext.offset + 8, true);
        const lineOff = v.getUint32(ext.offset + 16, true);
        const target = pick([4, 8, 12, 16, 20, hdr + funcOff, hdr + lineOff, hdr + funcOff + 8, hdr + lineOff + 8]);
        lie(4, ext.offset + target);
      }
      return { kind, bytes: b };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** Bytes after the 12-byte header of each BTF kind (vlen records or one extra word). */
function extra(kind: number, vlen: number): number {
  switch (kind) {
    case 1: case 14: case 17: return 4;
    case 3: return 12;
    case 4: case 5: case 15: case 19: return 12 * vlen;
    case 6: case 13: return 8 * vlen;
    default: return 0;
  }
}

/** File offsets of each BTF type record (type ids 1..n). */
function btfTypeOffsets(b: Uint8Array, s: Section): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const hdr = v.getUint32(s.offset + 4, true);
  const start = s.offset + hdr + v.getUint32(s.offset + 8, true);
  const end = start + v.getUint32(s.offset + 12, true);
  const out: number[] = [];
  for (let o = start; o + 12 <= end;) {
    out.push(o);
    const info = v.getUint32(o + 4, true);
    o += 12 + extra((info >>> 24) & 0x1f, info & 0xffff);
  }
  return out;
}
