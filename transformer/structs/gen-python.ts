/**
 * Python ctypes definitions. A struct whose C layout ctypes' natural rules reproduce is a
 * plain `ctypes.Structure`; one they cannot (packed, over-aligned, or nesting such a struct)
 * gets `_pack_ = 1` and explicit padding fields, so sizes and offsets still match byte for
 * byte (ctypes before 3.13 cannot raise a struct's alignment).
 */
import type { StructFieldType, StructLayout } from "../../runtime/struct/layout.js";
import { explicitPlan, header, naturalLayoutMatches, pascalCase, structsInOrder } from "./gen-common.js";

const CT_SCALARS: Readonly<Record<string, string>> = {
  u8: "ctypes.c_uint8", u16: "ctypes.c_uint16", u32: "ctypes.c_uint32", u64: "ctypes.c_uint64",
  i8: "ctypes.c_int8", i16: "ctypes.c_int16", i32: "ctypes.c_int32", i64: "ctypes.c_int64", bool: "ctypes.c_bool",
};

export function generatePython(roots: readonly StructLayout[], source: string): string {
  const packedMode = new Map<string, boolean>();
  const ctAlign = (t: StructFieldType): number => {
    switch (t.kind) {
      case "scalar": return t.size;
      case "char": return 1;
      case "array": return ctAlign(t.element);
      case "struct": return packedMode.get(t.name) ? 1 : t.fields.reduce((a, f) => Math.max(a, ctAlign(f.type)), 1);
      default: { const never: never = t; return never; }
    }
  };
  const ctType = (t: StructFieldType): string => {
    switch (t.kind) {
      case "scalar": return CT_SCALARS[t.name]!;
      case "char": return `(ctypes.c_char * ${t.length})`;
      case "array": return `(${ctType(t.element)} * ${t.length})`;
      case "struct": return pascalCase(t.name);
      default: { const never: never = t; return never; }
    }
  };
  const out = [header("#", source), "import ctypes", ""];
  for (const l of structsInOrder(roots)) {
    const explicit = !naturalLayoutMatches(l, ctAlign);
    packedMode.set(l.name, explicit);
    out.push("", `class ${pascalCase(l.name)}(ctypes.Structure):`);
    out.push(`    """struct ${l.name}: ${l.size} bytes, alignment ${l.align}${l.packed ? ", packed" : ""}."""`);
    const fields: string[] = [];
    if (explicit) {
      out.push("    _pack_ = 1");
      const plan = explicitPlan(l, () => 1);
      plan.fields.forEach((f, i) => {
        if (f.padBefore > 0) fields.push(`("_pad${i}", ctypes.c_uint8 * ${f.padBefore})`);
        fields.push(`("${f.name}", ${ctType(f.type)})`);
      });
      if (plan.trailingPad > 0) fields.push(`("_pad_end", ctypes.c_uint8 * ${plan.trailingPad})`);
    } else {
      for (const f of l.fields) fields.push(`("${f.name}", ${ctType(f.type)})`);
    }
    out.push("    _fields_ = [", ...fields.map((f) => `        ${f},`), "    ]");
  }
  out.push("");
  return out.join("\n");
}
