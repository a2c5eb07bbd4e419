/**
 * LPM trie keys: `struct { u32 prefixlen; u8 data[n]; }`. Keys are written as prefixes,
 * `"10.0.0.0/8"` or `"2001:db8::/32"` (a bare address means its full length), or as
 * `{ prefixLen, addr }` with the address as a string or bytes; they decode to the string form.
 * Data of other lengths is written and read as hex: `"0a0b/12"`.
 */
import { CodecError, type Codec } from "./codec.js";

export type LpmFamily = "ipv4" | "ipv6" | number;
export type LpmKeyInput = string | { readonly prefixLen: number; readonly addr: string | Uint8Array };
export type LpmKeyCodec = Codec<string, LpmKeyInput>;

function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6(s: string): Uint8Array | undefined {
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === "") return [];
    const out: number[] = [];
    const parts = h.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

function formatIpv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  // Compress the longest run of two or more zero groups (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

function parseHex(s: string, n: number): Uint8Array | undefined {
  if (!/^[0-9a-fA-F]*$/.test(s) || s.length !== n * 2) return undefined;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The key codec of an LPM trie over addresses of `family`. */
export function lpmKey(family: LpmFamily): LpmKeyCodec {
  const n = family === "ipv4" ? 4 : family === "ipv6" ? 16 : family;
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new CodecError(`an LPM trie key holds 1..256 bytes of data, got ${String(family)}`);
  const what = family === "ipv4" ? "an IPv4 prefix such as \"10.0.0.0/8\"" : family === "ipv6" ? "an IPv6 prefix such as \"2001:db8::/32\"" : `${n} bytes of hex with a prefix length, such as "${"00".repeat(n)}/${n * 8}"`;
  const parseAddr = (s: string): Uint8Array | undefined =>
    family === "ipv4" ? parseIpv4(s) : family === "ipv6" ? parseIpv6(s) : parseHex(s, n);
  const bad = (v: unknown): CodecError =>
    new CodecError(`cannot encode ${typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v)} as an LPM key: expected ${what}`);
  return {
    size: 4 + n,
    encode(view, offset, value) {
      let prefixLen: number;
      let addr: Uint8Array | undefined;
      if (typeof value === "string") {
        const slash = value.lastIndexOf("/");
        addr = parseAddr(slash < 0 ? value : value.slice(0, slash));
        prefixLen = slash < 0 ? n * 8 : /^\d+$/.test(value.slice(slash + 1)) ? Number(value.slice(slash + 1)) : NaN;
      } else if (value !== null && typeof value === "object") {
        prefixLen = value.prefixLen;
        addr = typeof value.addr === "string" ? parseAddr(value.addr) : value.addr instanceof Uint8Array && value.addr.length === n ? value.addr : undefined;
      } else {
        throw bad(value);
      }
      if (!addr || !Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > n * 8) throw bad(value);
      view.setUint32(offset, prefixLen, true);
      new Uint8Array(view.buffer, view.byteOffset + offset + 4, n).set(addr);
    },
    decode(view, offset) {
      const prefixLen = view.getUint32(offset, true);
      const b = new Uint8Array(view.buffer, view.byteOffset + offset + 4, n);
      const addr = family === "ipv4" ? b.join(".") : family === "ipv6" ? formatIpv6(b) : Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
      return `${addr}/${prefixLen}`;
    },
  };
}
