/**
 * The BPF back end: IR function -> machine code. Instruction selection (`isel.ts`),
 * register allocation (`regalloc.ts`), a peephole pass (`peephole.ts`), frame layout
 * (`frame.ts`) and emission with branch layout (`emit.ts`); `opcodes.ts` holds the
 * encoding and `disasm.ts` reads it back.
 * Errors here are compiler bugs (thrown), except stack size, which callers report.
 */
import type { Fn } from "../ir/ir.js";
import { emit, type Emitted } from "./emit.js";
import { select } from "./isel.js";
import type { MFn } from "./mir.js";
import { peephole } from "./peephole.js";
import { allocate } from "./regalloc.js";

export interface BackendOptions {
  /** Sees the machine IR after selection and after allocation (for tests and dumps). */
  readonly onStage?: (stage: "isel" | "regalloc", fn: MFn) => void;
}

export function generate(fn: Fn, opts: BackendOptions = {}): Emitted {
  const mfn = select(fn);
  opts.onStage?.("isel", mfn);
  allocate(mfn);
  peephole(mfn);
  opts.onStage?.("regalloc", mfn);
  return emit(mfn);
}

export type { CallReloc, Emitted, GlobalReloc, MapReloc } from "./emit.js";
