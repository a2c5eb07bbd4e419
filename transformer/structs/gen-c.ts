/** C definitions of defstructs, with `_Static_assert`s on size, alignment and every offset. */
import type { StructFieldType, StructLayout } from "../../runtime/struct/layout.js";
import { arrayDims, header, structsInOrder } from "./gen-common.js";

const C_SCALARS: Readonly<Record<string, string>> = {
  u8: "uint8_t", u16: "uint16_t", u32: "uint32_t", u64: "uint64_t",
  i8: "int8_t", i16: "int16_t", i32: "int32_t", i64: "int64_t", bool: "bool",
};

/** `uint32_t pid`, `char comm[16]`: a field as the generated C declares it (also the editor's hover). */
export function cDeclarator(t: StructFieldType, name: string): string {
  const { base, dims } = arrayDims(t);
  const suffix = dims.map((d) => `[${d}]`).join("");
  switch (base.kind) {
    case "scalar": return `${C_SCALARS[base.name]} ${name}${suffix}`;
    case "char": return `char ${name}${suffix}[${base.length}]`;
    case "struct": return `struct ${base.name} ${name}${suffix}`;
    case "array": throw new Error("internal: arrayDims left an array");
    default: { const never: never = base; return never; }
  }
}

function attributes(l: StructLayout, naturalAlign: number): string {
  const attrs: string[] = [];
  if (l.packed) attrs.push("packed");
  if (l.align > naturalAlign || (l.packed && l.align > 1)) attrs.push(`aligned(${l.align})`);
  return attrs.length ? ` __attribute__((${attrs.join(", ")}))` : "";
}

export function generateC(roots: readonly StructLayout[], source: string): string {
  const out = [`/* ${header("", source).trim()} */`, "#pragma once", "#include <stdbool.h>", "#include <stddef.h>", "#include <stdint.h>", ""];
  for (const l of structsInOrder(roots)) {
    const natural = l.packed ? 1 : Math.max(...l.fields.map((f) => f.type.align));
    out.push(`struct${attributes(l, natural)} ${l.name} {`);
    for (const f of l.fields) out.push(`\t${cDeclarator(f.type, f.name)};`);
    out.push("};");
    out.push(`_Static_assert(sizeof(struct ${l.name}) == ${l.size}, "struct ${l.name}: size");`);
    out.push(`_Static_assert(_Alignof(struct ${l.name}) == ${l.align}, "struct ${l.name}: alignment");`);
    for (const f of l.fields) out.push(`_Static_assert(offsetof(struct ${l.name}, ${f.name}) == ${f.offset}, "struct ${l.name}: offset of ${f.name}");`);
    out.push("");
  }
  return out.join("\n");
}
