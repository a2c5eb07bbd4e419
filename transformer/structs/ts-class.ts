/**
 * The class the transformer writes in place of a `defstruct(...)` call: the field getters and
 * `decode` read at literal offsets (no layout walk at run time); setters and `encode` go
 * through the same helpers as the run-time class, so both behave identically.
 *
 * Output: JavaScript source of `(B, h) => { ... return class <name> extends B { ... } }`, the
 * last argument of `defstruct.compiled(name, fields, opts, offsets, generate)`.
 */
import type { StructFieldType, StructLayout } from "../../runtime/struct/layout.js";

const GETTERS: Readonly<Record<string, string>> = {
  u8: "getUint8", i8: "getInt8", u16: "getUint16", i16: "getInt16",
  u32: "getUint32", i32: "getInt32", u64: "getBigUint64", i64: "getBigInt64",
};

/** An expression reading field `i` of type `t` at `at` from DataView `v`, or undefined for composite types. */
function readExpr(t: StructFieldType, v: string, at: string, i: number, view: boolean): string {
  switch (t.kind) {
    case "scalar":
      if (t.name === "bool") return `${v}.getUint8(${at}) !== 0`;
      if (t.asNumber) return `h.decodeSafe64(${v}, ${at}, ${t.signed})`;
      return t.size === 1 ? `${v}.${GETTERS[t.name]}(${at})` : `${v}.${GETTERS[t.name]}(${at}, true)`;
    case "char":
      return `h.decodeChars(${v}, ${at}, ${t.length})`;
    case "array":
    case "struct":
      return view ? `h.viewField(S[${i}], F[${i}].type, ${v}, ${at})` : `h.decodeField(F[${i}].type, ${v}, ${at})`;
    default: { const never: never = t; return never; }
  }
}

export function structClassSource(l: StructLayout): string {
  const lines: string[] = [];
  lines.push(`(B, h) => {`);
  lines.push(`  const F = B.layout.fields, L = B.layout;`);
  lines.push(`  const S = [${l.fields.map((f) => `B.fields[${JSON.stringify(f.name)}]`).join(", ")}];`);
  lines.push(`  return class ${l.name} extends B {`);
  l.fields.forEach((f, i) => {
    const key = JSON.stringify(f.name);
    lines.push(`    get [${key}]() { return ${readExpr(f.type, "this.$view", `this.$offset + ${f.offset}`, i, true)}; }`);
    lines.push(`    set [${key}](x) { h.encodeField(F[${i}].type, this.$view, this.$offset + ${f.offset}, x, ${JSON.stringify(`${l.name}.${f.name}`)}); }`);
  });
  lines.push(`    static decode(v, o = 0) {`);
  lines.push(`      h.checkBounds(L, v, o);`);
  lines.push(`      return { ${l.fields.map((f, i) => `${JSON.stringify(f.name)}: ${readExpr(f.type, "v", `o + ${f.offset}`, i, false)}`).join(", ")} };`);
  lines.push(`    }`);
  lines.push(`    static encode(v, o, value) { h.encodeStruct(L, v, o, value); }`);
  lines.push(`  };`);
  lines.push(`}`);
  return lines.join("\n");
}

/** Field offsets followed by the size: what `defstruct.compiled` checks against the declaration. */
export function layoutOffsets(l: StructLayout): number[] {
  return [...l.fields.map((f) => f.offset), l.size];
}
