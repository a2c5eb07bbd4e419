/**
 * BTF STRUCT records for `defstruct` layouts (map keys and values), as clang writes them for
 * the same C struct: scalar fields as their `__u32`-style typedefs, `char(n)` as `char[n]`,
 * `array(T, n)` as `T[n]`, nested structs by id, each member at its layout bit offset. With
 * them bpftool prints map entries field by field and the kernel checks sizes against them.
 */
import type { StructFieldType, StructLayout } from "../../runtime/struct/layout.js";
import type { ScalarName } from "../../runtime/types.js";
import { BTF_INT_SIGNED, type BtfWriter } from "./writer.js";

export interface StructTypeContext {
  readonly w: BtfWriter;
  /** Type id of a scalar's typedef (shared with the rest of the object's BTF). */
  scalar(name: ScalarName): number;
  /** The index type of arrays (`__ARRAY_SIZE_TYPE__`). */
  readonly arrayIndex: number;
}

/** Emits (once per struct name) and returns the type id of `layout`. */
export function structTypes(ctx: StructTypeContext): (layout: StructLayout) => number {
  const ids = new Map<string, number>();
  let char: number | undefined;
  const field = (t: StructFieldType): number => {
    switch (t.kind) {
      case "scalar": return ctx.scalar(t.name);
      case "char": return ctx.w.array((char ??= ctx.w.int("char", 1, BTF_INT_SIGNED)), ctx.arrayIndex, t.length);
      case "array": return ctx.w.array(field(t.element), ctx.arrayIndex, t.length);
      case "struct": return struct(t);
    }
  };
  const struct = (layout: StructLayout): number => {
    let id = ids.get(layout.name);
    if (id === undefined) {
      const members = layout.fields.map((f) => ({ name: f.name, type: field(f.type), bitOffset: f.offset * 8 }));
      id = ctx.w.struct(layout.name, layout.size, members);
      ids.set(layout.name, id);
    }
    return id;
  };
  return struct;
}
