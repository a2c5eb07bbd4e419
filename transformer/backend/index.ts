/**
 * The BPF back end: IR function -> machine code. Instruction selection (`isel.ts`),
 * register allocation (`regalloc.ts`), a peephole pass (`peephole.ts`), frame layout
 * (`frame.ts`) and emission with branch layout (`emit.ts`); `opcodes.ts` holds the
 * encoding and `disasm.ts` reads it back.
 * Errors here are compiler bugs (thrown), except stack size, which callers report, and
 * `RegallocError`: values that do not fit in registers nor, spilled, in the 512-byte frame.
 */
import type { Fn } from "../ir/ir.js";
import { emit, type Emitted } from "./emit.js";
import { select } from "./isel.js";
import type { MFn } from "./mir.js";
import { peephole } from "./peephole.js";
import { MAX_STACK, layoutFrame } from "./frame.js";
import { allocate, RegallocError, type AllocResult } from "./regalloc.js";

export interface BackendOptions {
  /** Sees the machine IR after selection and after allocation (for tests and dumps). */
  readonly onStage?: (stage: "isel" | "regalloc", fn: MFn) => void;
}

export function generate(fn: Fn, opts: BackendOptions = {}): Emitted {
  const mfn = select(fn);
  opts.onStage?.("isel", mfn);
  const alloc = allocate(mfn);
  peephole(mfn);
  if (alloc.spills) checkSpillRoom(mfn, alloc);
  opts.onStage?.("regalloc", mfn);
  return emit(mfn);
}

export type { CallReloc, Emitted, GlobalReloc, MapReloc } from "./emit.js";

/**
 * Spilled values must fit in the frame beside the program's own stack; when they are what
 * pushes it over the kernel's 512 bytes, the program keeps too many values alive at once
 * (a frame too big without them is the caller's WBPF3001).
 */
function checkSpillRoom(mfn: MFn, alloc: AllocResult): void {
  const frame = layoutFrame(mfn);
  if (frame.size <= MAX_STACK) return;
  const spillBytes = [...alloc.spillSlots].filter((n) => frame.offsets[n] !== 0).length * 8;
  const own = frame.size - spillBytes;
  if (own > MAX_STACK) return;
  throw new RegallocError(
    `'${mfn.name}' keeps too many values alive at once: spilling them takes ${spillBytes} bytes of stack, which with its own ${own} bytes is more than the kernel's ${MAX_STACK} (the first value spilled is computed here)`,
    alloc.firstSpill,
  );
}
