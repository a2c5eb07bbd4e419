/**
 * Global data layout: module-level variables packed into `.rodata`, `.data` and `.bss`
 * in declaration order, each aligned to its size (the C rule clang follows), with the
 * initial bytes of `.rodata` and `.data` (`.bss` is all zero and takes no file space).
 */
import type { ScalarName } from "../../runtime/types.js";
import { SCALARS } from "../../runtime/types.js";

export type DataSectionName = ".rodata" | ".data" | ".bss";

export interface GlobalInput {
  readonly name: string;
  readonly section: DataSectionName;
  readonly type: ScalarName;
  readonly init: bigint;
  /** Constant bytes instead of a scalar (a `.rodata` string), aligned to 1. */
  readonly bytes?: Uint8Array;
}

export interface PlacedGlobal extends GlobalInput {
  readonly offset: number;
  readonly size: number;
}

export interface DataLayout {
  readonly globals: readonly PlacedGlobal[];
  /** Size and initial bytes of each section that has variables, in `.rodata/.data/.bss` order. */
  readonly sections: readonly { readonly name: DataSectionName; readonly size: number; readonly bytes: Uint8Array }[];
}

const ORDER: readonly DataSectionName[] = [".rodata", ".data", ".bss"];

export function layoutGlobals(list: readonly GlobalInput[]): DataLayout {
  const globals: PlacedGlobal[] = [];
  const sections: { name: DataSectionName; size: number; bytes: Uint8Array }[] = [];
  for (const name of ORDER) {
    let size = 0;
    const mine: PlacedGlobal[] = [];
    for (const g of list) {
      if (g.section !== name) continue;
      const s = g.bytes?.length ?? SCALARS[g.type].size;
      const align = g.bytes ? 1 : s;
      const offset = Math.ceil(size / align) * align;
      size = offset + s;
      mine.push({ ...g, offset, size: s });
    }
    if (mine.length === 0) continue;
    const bytes = new Uint8Array(size);
    const dv = new DataView(bytes.buffer);
    for (const g of mine) {
      if (g.bytes) {
        bytes.set(g.bytes, g.offset);
        continue;
      }
      const v = BigInt.asUintN(g.size * 8, g.init);
      for (let i = 0; i < g.size; i++) dv.setUint8(g.offset + i, Number((v >> BigInt(8 * i)) & 0xffn));
    }
    sections.push({ name, size, bytes });
    globals.push(...mine);
  }
  // Keep the caller's order for lookups by index.
  globals.sort((a, b) => list.findIndex((g) => g.name === a.name) - list.findIndex((g) => g.name === b.name));
  return { globals, sections };
}
