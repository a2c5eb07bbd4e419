/**
 * Frame layout: gives each stack slot (IR slots, then spill slots) an offset below r10,
 * aligned to its size, the way clang lays out locals (`r10 - 4` for the first u32).
 * Slots are not shared yet; the kernel allows 512 bytes per program.
 */
import type { MFn, StackRef } from "./mir.js";

export const MAX_STACK = 512;

export interface Frame {
  /** Offset from r10 (negative) of each slot. */
  readonly offsets: readonly number[];
  readonly size: number;
}

export function layoutFrame(fn: MFn): Frame {
  let cur = 0;
  const offsets = fn.slots.map((s) => {
    cur = Math.ceil((cur + s.size) / s.align) * s.align;
    return -cur;
  });
  return { offsets, size: cur };
}

export function resolve(frame: Frame, off: number | StackRef): number {
  return typeof off === "number" ? off : frame.offsets[off.slot]! + off.delta;
}
