/**
 * The table a `Usdt<"binary:provider:name">` program reads its arguments from.
 *
 * Where a USDT probe's arguments are (a register, memory at a register plus a displacement,
 * or a constant) is written in the probed binary's `.note.stapsdt`, so it is known only
 * when the program attaches, and may differ between the probe's sites (the compiler places
 * the same probe's arguments in other registers where it is inlined twice). So attaching
 * writes one spec per distinct argument placement into the object's `__usdt_specs` array
 * map and gives each uprobe the spec's index as its BPF cookie; the compiled `ctx.args[i]`
 * looks the spec up by the cookie and follows it (the scheme libbpf's usdt.bpf.h uses; the
 * layout here is our own, shared by the compiler, which reads it, and the loader, which
 * writes it).
 */
import { arrayFieldType, layoutStruct, scalarFieldType, type StructLayout } from "./struct/layout.js";
import { u32, u64 } from "./types.js";

/** The map's name in the object (not a name templates can declare). */
export const USDT_SPECS_MAP = "__usdt_specs";
/** Arguments a probe may have (sdt.h's limit). */
export const USDT_MAX_ARGS = 12;
/** Specs one object holds at once: distinct argument placements over all attached sites. */
export const USDT_MAX_SPECS = 256;

/** How an argument is found; 0 (absent) reads as 0. */
export const UsdtArgKindCode = { absent: 0, const: 1, reg: 2, reg_deref: 3 } as const;

/**
 * One argument: `value` is the constant or the displacement; `reg_offset` the register's
 * byte offset in struct pt_regs; the 8 bytes read are shifted left then right by `shift`
 * (64 - 8 * size), arithmetically when `signed`, which keeps the value's size and sign.
 */
export const USDT_ARG_LAYOUT: StructLayout = layoutStruct("whistler_usdt_arg", [
  ["value", scalarFieldType(u64)],
  ["kind", scalarFieldType(u32)],
  ["reg_offset", scalarFieldType(u32)],
  ["shift", scalarFieldType(u32)],
  ["is_signed", scalarFieldType(u32)],
]);

export const USDT_SPEC_LAYOUT: StructLayout = layoutStruct("whistler_usdt_spec", [
  ["args", arrayFieldType(USDT_ARG_LAYOUT, USDT_MAX_ARGS)],
  ["arg_count", scalarFieldType(u32)],
]);

/** Byte offset of a field of argument `i` within a spec. */
export function usdtArgField(i: number, field: "value" | "kind" | "reg_offset" | "shift" | "is_signed"): number {
  const f = USDT_ARG_LAYOUT.fields.find((x) => x.name === field)!;
  return i * USDT_ARG_LAYOUT.size + f.offset;
}

/** Byte offset of `arg_count` within a spec. */
export const USDT_ARG_COUNT_OFFSET = USDT_SPEC_LAYOUT.fields.find((f) => f.name === "arg_count")!.offset;

/** What the loader knows of an argument from the probe's note (loader/link/usdt-args.ts). */
export interface UsdtArgPlacement {
  readonly kind: "const" | "reg" | "reg_deref";
  readonly value: bigint;
  readonly regOffset: number;
  readonly size: 1 | 2 | 4 | 8;
  readonly signed: boolean;
}

/** The map value for a site whose arguments are `args`. */
export function encodeUsdtSpec(args: readonly UsdtArgPlacement[]): Uint8Array {
  const bytes = new Uint8Array(USDT_SPEC_LAYOUT.size);
  const v = new DataView(bytes.buffer);
  args.slice(0, USDT_MAX_ARGS).forEach((a, i) => {
    v.setBigUint64(usdtArgField(i, "value"), BigInt.asUintN(64, a.value), true);
    v.setUint32(usdtArgField(i, "kind"), UsdtArgKindCode[a.kind], true);
    v.setUint32(usdtArgField(i, "reg_offset"), a.regOffset, true);
    v.setUint32(usdtArgField(i, "shift"), 64 - 8 * a.size, true);
    v.setUint32(usdtArgField(i, "is_signed"), a.signed ? 1 : 0, true);
  });
  v.setUint32(USDT_ARG_COUNT_OFFSET, Math.min(args.length, USDT_MAX_ARGS), true);
  return bytes;
}
