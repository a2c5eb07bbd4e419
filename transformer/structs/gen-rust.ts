/**
 * Rust definitions: `#[repr(C)]` (with `packed` or `align(N)`), compile-time asserts on size,
 * alignment and `offset_of!`. Rust cannot combine `packed` with `align`: such structs get an
 * explicit layout (padding fields, misplaced fields as byte arrays) under `align(N)`.
 */
import type { StructFieldType, StructLayout } from "../../runtime/struct/layout.js";
import { explicitPlan, header, pascalCase, structsInOrder } from "./gen-common.js";

const RUST_KEYWORDS = new Set([
  "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "fn", "for", "if", "impl",
  "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "super", "trait",
  "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
  "typeof", "unsized", "virtual", "yield", "try", "gen",
]);

/** Field names that are Rust keywords become raw identifiers. */
function rustIdent(name: string): string {
  return RUST_KEYWORDS.has(name) ? `r#${name}` : name;
}

function rustType(t: StructFieldType): string {
  switch (t.kind) {
    case "scalar": return t.name === "bool" ? "bool" : t.name;
    case "char": return `[u8; ${t.length}]`;
    case "array": return `[${rustType(t.element)}; ${t.length}]`;
    case "struct": return pascalCase(t.name);
    default: { const never: never = t; return never; }
  }
}

export function generateRust(roots: readonly StructLayout[], source: string): string {
  const out = [header("//", source), "#![allow(dead_code)]", ""];
  for (const l of structsInOrder(roots)) {
    const name = pascalCase(l.name);
    const natural = l.packed ? 1 : Math.max(...l.fields.map((f) => f.type.align));
    const lines: string[] = [];
    if (l.packed && l.align > 1) {
      const plan = explicitPlan(l, (t) => t.align);
      out.push(`#[repr(C, align(${l.align}))]`);
      plan.fields.forEach((f, i) => {
        if (f.padBefore > 0) lines.push(`    pub _pad${i}: [u8; ${f.padBefore}],`);
        lines.push(f.asBytes ? `    pub ${rustIdent(f.name)}: [u8; ${f.size}], // ${rustType(f.type)}, little-endian, unaligned` : `    pub ${rustIdent(f.name)}: ${rustType(f.type)},`);
      });
      if (plan.trailingPad > 0) lines.push(`    pub _pad_end: [u8; ${plan.trailingPad}],`);
    } else {
      out.push(l.packed ? "#[repr(C, packed)]" : l.align > natural ? `#[repr(C, align(${l.align}))]` : "#[repr(C)]");
      for (const f of l.fields) lines.push(`    pub ${rustIdent(f.name)}: ${rustType(f.type)},`);
    }
    out.push("#[derive(Clone, Copy)]", `pub struct ${name} {`, ...lines, "}");
    out.push(`const _: () = assert!(std::mem::size_of::<${name}>() == ${l.size});`);
    out.push(`const _: () = assert!(std::mem::align_of::<${name}>() == ${l.align});`);
    for (const f of l.fields) out.push(`const _: () = assert!(std::mem::offset_of!(${name}, ${rustIdent(f.name)}) == ${f.offset});`);
    out.push("");
  }
  return out.join("\n");
}
