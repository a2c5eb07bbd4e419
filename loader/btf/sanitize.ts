/**
 * Rewriting BTF for a kernel that lacks some kinds, the way libbpf does: every record keeps
 * its size and type id (so map and func_info type ids stay valid), only its kind changes.
 * DATASEC -> STRUCT and VAR -> INT (no datasec), FLOAT -> empty STRUCT, DECL_TAG -> INT,
 * TYPE_TAG -> CONST, ENUM64 -> UNION of a placeholder INT, FUNC -> TYPEDEF and FUNC_PROTO ->
 * ENUM (no func), global FUNC -> static (no global func linkage), signed ENUM -> unsigned.
 * Pure: the features come from the caller (loader/features probes them once per process).
 */
import { BtfKind } from "./types.js";
import type { Btf } from "./reader.js";

export interface BtfFeatures {
  readonly func: boolean;
  readonly funcGlobal: boolean;
  readonly datasec: boolean;
  readonly float: boolean;
  readonly declTag: boolean;
  readonly typeTag: boolean;
  readonly enum64: boolean;
}

export const ALL_BTF_FEATURES: BtfFeatures = {
  func: true, funcGlobal: true, datasec: true, float: true, declTag: true, typeTag: true, enum64: true,
};

const info = (kind: number, vlen: number, kflag = false): number => ((kflag ? 1 : 0) << 31 | (kind << 24) | (vlen & 0xffff)) >>> 0;
const INT_8_BITS = 8;

/**
 * `raw` is the object's (fixed-up) BTF with the same layout as `btf`; returns a sanitized copy,
 * or `raw` itself when the kernel supports everything the BTF uses.
 */
export function sanitizeBtf(raw: Uint8Array, btf: Btf, f: BtfFeatures): Uint8Array {
  const needs = btf.types.some((t) =>
    (!f.datasec && (t.kind === "DATASEC" || t.kind === "VAR")) || (!f.float && t.kind === "FLOAT") ||
    (!f.declTag && t.kind === "DECL_TAG") || (!f.typeTag && t.kind === "TYPE_TAG") ||
    (!f.enum64 && (t.kind === "ENUM64" || (t.kind === "ENUM" && t.signed))) ||
    (!f.func && (t.kind === "FUNC" || t.kind === "FUNC_PROTO")) || (!f.funcGlobal && t.kind === "FUNC" && t.linkage !== 0));
  if (!needs) return raw;
  const out = raw.slice();
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const base = btf.typeStart;
  const strStart = btf.header.hdrLen + btf.header.strOff;
  // A valid identifier already in the string table, for records that need a name.
  const anyName = btf.types.find((t) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.name));
  const nameOffOf = (id: number): number => v.getUint32(base + btf.type(id).offset, true);
  const fallbackName = anyName ? nameOffOf(anyName.id) : 0;
  const placeholderId = btf.types.length;
  let needPlaceholder = false;

  for (const t of btf.types) {
    if (t.kind === "VOID") continue;
    const at = base + t.offset;
    const setInfo = (kind: number, vlen: number): void => v.setUint32(at + 4, info(kind, vlen), true);
    switch (t.kind) {
      case "VAR":
      case "DECL_TAG":
        if ((t.kind === "VAR" && !f.datasec) || (t.kind === "DECL_TAG" && !f.declTag)) {
          setInfo(BtfKind.INT, 0);
          v.setUint32(at + 8, 1, true);
          v.setUint32(at + 12, INT_8_BITS, true);
        }
        break;
      case "DATASEC":
        if (!f.datasec) {
          // Struct names must be identifiers: ".bss" -> "_bss", in place (same length).
          for (let i = strStart + v.getUint32(at, true); i < out.length && out[i] !== 0; i++) if (out[i] === 0x2e) out[i] = 0x5f;
          setInfo(BtfKind.STRUCT, t.vars.length);
          t.vars.forEach((sv, i) => {
            const m = at + 12 + i * 12;
            const varName = nameOffOf(sv.type);
            v.setUint32(m, varName, true);
            v.setUint32(m + 4, sv.type, true);
            v.setUint32(m + 8, sv.offset * 8, true);
          });
        }
        break;
      case "FLOAT":
        if (!f.float) {
          v.setUint32(at, 0, true);
          setInfo(BtfKind.STRUCT, 0);
        }
        break;
      case "TYPE_TAG":
        if (!f.typeTag) {
          v.setUint32(at, 0, true);
          setInfo(BtfKind.CONST, 0);
        }
        break;
      case "ENUM":
        if (!f.enum64 && t.signed) setInfo(BtfKind.ENUM, t.values.length);
        break;
      case "ENUM64":
        if (!f.enum64) {
          needPlaceholder = true;
          setInfo(BtfKind.UNION, t.values.length);
          t.values.forEach((_, i) => {
            const m = at + 12 + i * 12;
            v.setUint32(m + 4, placeholderId, true);
            v.setUint32(m + 8, 0, true);
          });
        }
        break;
      case "FUNC":
        if (!f.func) setInfo(BtfKind.TYPEDEF, 0);
        else if (!f.funcGlobal && t.linkage !== 0) setInfo(BtfKind.FUNC, 0);
        break;
      case "FUNC_PROTO":
        if (!f.func) {
          setInfo(BtfKind.ENUM, t.params.length);
          v.setUint32(at + 8, 4, true);
          t.params.forEach((_, i) => {
            const p = at + 12 + i * 8;
            if (v.getUint32(p, true) === 0) v.setUint32(p, fallbackName, true);
            v.setUint32(p + 4, 0, true);
          });
        }
        break;
      default:
        break;
    }
  }
  return needPlaceholder ? appendPlaceholderInt(out, btf) : out;
}

/** Append an unnamed 1-byte INT after the last type (ENUM64 placeholders point at it). */
function appendPlaceholderInt(raw: Uint8Array, btf: Btf): Uint8Array {
  const h = btf.header;
  const typeEnd = h.hdrLen + h.typeOff + h.typeLen;
  const strStart = h.hdrLen + h.strOff;
  const rec = new Uint8Array(16);
  const rv = new DataView(rec.buffer);
  rv.setUint32(4, info(BtfKind.INT, 0), true);
  rv.setUint32(8, 1, true);
  rv.setUint32(12, INT_8_BITS, true);
  const types = raw.subarray(h.hdrLen + h.typeOff, typeEnd);
  const strings = raw.subarray(strStart, strStart + h.strLen);
  const out = new Uint8Array(h.hdrLen + types.length + rec.length + strings.length);
  out.set(raw.subarray(0, h.hdrLen));
  out.set(types, h.hdrLen);
  out.set(rec, h.hdrLen + types.length);
  out.set(strings, h.hdrLen + types.length + rec.length);
  const v = new DataView(out.buffer);
  v.setUint32(8, 0, true);
  v.setUint32(12, types.length + rec.length, true);
  v.setUint32(16, types.length + rec.length, true);
  v.setUint32(20, strings.length, true);
  return out;
}
