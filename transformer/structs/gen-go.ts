/**
 * Go definitions. Go lays fields out naturally and has no packing or alignment control, so
 * every struct is written with explicit padding fields (`_ [n]byte`), and a field its natural
 * alignment would move (in packed structs) is a byte array holding its little-endian bytes.
 * Field names are exported (PascalCase); the C name is kept in a comment.
 */
import type { StructFieldType, StructLayout } from "../../runtime/struct/layout.js";
import { explicitPlan, header, pascalCase, structsInOrder, type ExplicitPlan } from "./gen-common.js";

const GO_SCALARS: Readonly<Record<string, string>> = {
  u8: "uint8", u16: "uint16", u32: "uint32", u64: "uint64",
  i8: "int8", i16: "int16", i32: "int32", i64: "int64", bool: "bool",
};

export function generateGo(roots: readonly StructLayout[], source: string, pkg = "main"): string {
  const plans = new Map<string, ExplicitPlan>();
  const goAlign = (t: StructFieldType): number => {
    switch (t.kind) {
      case "scalar": return t.size;
      case "char": return 1;
      case "array": return goAlign(t.element);
      case "struct": return plans.get(t.name)!.align;
      default: { const never: never = t; return never; }
    }
  };
  const goType = (t: StructFieldType): string => {
    switch (t.kind) {
      case "scalar": return GO_SCALARS[t.name]!;
      case "char": return `[${t.length}]byte`;
      case "array": return `[${t.length}]${goType(t.element)}`;
      case "struct": return pascalCase(t.name);
      default: { const never: never = t; return never; }
    }
  };
  const out = [header("//", source), "", `package ${pkg}`, ""];
  for (const l of structsInOrder(roots)) {
    const plan = explicitPlan(l, goAlign);
    plans.set(l.name, plan);
    out.push(`// ${pascalCase(l.name)} is struct ${l.name}: ${l.size} bytes${l.packed ? ", packed" : ""}${l.align > plan.align ? `, aligned to ${l.align} in C (Go aligns it to ${plan.align})` : ""}.`);
    out.push(`type ${pascalCase(l.name)} struct {`);
    for (const f of plan.fields) {
      if (f.padBefore > 0) out.push(`\t_ [${f.padBefore}]byte`);
      const type = f.asBytes ? `[${f.size}]byte` : goType(f.type);
      const note = f.asBytes ? ` // ${f.name}: ${goType(f.type)} at unaligned offset ${f.offset}, little-endian bytes` : ` // ${f.name}`;
      out.push(`\t${pascalCase(f.name)} ${type}${note}`);
    }
    if (plan.trailingPad > 0) out.push(`\t_ [${plan.trailingPad}]byte`);
    out.push("}", "");
  }
  return out.join("\n");
}
