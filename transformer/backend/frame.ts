/**
 * Frame layout: gives each stack slot (IR slots, then spill slots) an offset below r10,
 * aligned to its size, the way clang lays out locals (`r10 - 4` for the first u32).
 * Unused slots take no room; the kernel allows 512 bytes per program.
 */
import type { MFn, StackRef } from "./mir.js";

export const MAX_STACK = 512;

export interface Frame {
  /** Offset from r10 (negative) of each slot. */
  readonly offsets: readonly number[];
  readonly size: number;
}

export function layoutFrame(fn: MFn): Frame {
  // Slots the code no longer mentions (merged or optimised away) take no room.
  const used = new Set<number>();
  for (const b of fn.blocks) {
    for (const i of b.insts) {
      if (i.k === "alu" && i.slot !== undefined) used.add(i.slot);
      if ((i.k === "ldx" || i.k === "stx" || i.k === "st" || i.k === "atomic_add" || i.k === "atomic_fetch") && typeof i.off !== "number") used.add(i.off.slot);
    }
  }
  let cur = 0;
  const offsets = fn.slots.map((s, n) => {
    if (!used.has(n)) return 0;
    cur = Math.ceil((cur + s.size) / s.align) * s.align;
    return -cur;
  });
  return { offsets, size: cur };
}

export function resolve(frame: Frame, off: number | StackRef): number {
  return typeof off === "number" ? off : frame.offsets[off.slot]! + off.delta;
}
