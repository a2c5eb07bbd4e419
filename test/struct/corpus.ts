// Tricky structs every layout consumer must agree on: the TS classes, the transformer's
// generated classes, and the C, Go, Rust and Python definitions `whistler gen` writes.
import { defstruct, char, array, asNumber, u8, u16, u32, u64, i8, i16, i32, i64, bool } from "../../index.js";

export const Mixed = defstruct("mixed", { a: u8, b: u64, c: u16, d: i32, e: u8 });
export const Tail = defstruct("tail_pad", { x: u64, y: u8 });
export const Chars = defstruct("chars", { tag: u8, comm: char(16), pid: u32, name: char(5) });
export const Arrays = defstruct("arrays", { n: u8, vals: array(u32, 3), big: array(i64, 2), flags: array(bool, 3), small: array(i16, 5) });
export const Inner = defstruct("inner", { lo: u16, hi: u64 });
export const Outer = defstruct("outer", { tag: u8, inner: Inner, pair: array(Inner, 2), last: i8 });
export const Packed = defstruct("packed_rec", { a: u8, b: u64, c: u16, d: u32 }, { packed: true });
export const Aligned = defstruct("aligned_rec", { a: u32, b: u8 }, { align: 16 });
export const HoldsAligned = defstruct("holds_aligned", { pre: u8, inner: Aligned, post: u16 });
export const HoldsPacked = defstruct("holds_packed", { pre: u8, p: Packed, post: u32 });
export const PackedAligned = defstruct("packed_aligned", { a: u8, b: u32 }, { packed: true, align: 8 });
export const Signed = defstruct("signed_rec", { a: i8, b: i16, c: i32, d: i64, e: bool, f: asNumber(u64), g: asNumber(i64) });
export const Grid = defstruct("grid", { cells: array(array(u16, 3), 2), names: array(char(4), 2) });
export const OpenEvent = defstruct("open_event", {
  pid: u32, uid: u32, ts: u64, flags: i32, comm: char(16), filename: char(256),
});
