/**
 * Struct-typed map keys and values (`new HashMap({ key: FlowKey, value: Stats, ... })`):
 * a key or value argument is a pointer to a struct of exactly the declared layout (a stack
 * struct `let k: ${FlowKey};`, a map value, a ring buffer record), passed to the helper as
 * it is; a lookup yields a nullable struct pointer with field access.
 */
import type { StructLayout } from "../../runtime/struct/layout.js";
import type { MapSlotInfo } from "../api.js";
import type { Expr } from "./ast.js";
import { fail, type CheckOps } from "./check-ops.js";
import type { MapRef, TExpr } from "./typed.js";
import { typeName, type Type } from "./types.js";

/** Two layouts are the same type when name, size and every field agree. */
export function sameLayout(a: StructLayout, b: StructLayout): boolean {
  return a === b || (a.name === b.name && a.size === b.size && JSON.stringify(a.fields) === JSON.stringify(b.fields));
}

/**
 * The struct argument `index` of `method` on a map passes, if it is one: the key struct
 * first (lookup, update, delete, increment), an update's value struct second.
 */
export function structArgument(info: MapSlotInfo, method: string, index: number): { readonly role: "key" | "value"; readonly layout: StructLayout } | undefined {
  const layout = index === 0 ? info.keyStruct : index === 1 && method === "update" ? info.valueStruct : undefined;
  return layout && { role: index === 0 ? "key" : "value", layout };
}

/** The type a lookup of `map` returns: a struct pointer for struct values. */
export function structLookupType(map: MapRef): Type | undefined {
  const s = map.info.valueStruct;
  return s ? { k: "sptr", layout: s, nullable: true, origin: "map" } : undefined;
}

/** A key or value argument of a struct-typed map: a non-null pointer to that struct. */
export function structElemArg(ops: CheckOps, map: MapRef, role: "key" | "value", layout: StructLayout, src: Expr): TExpr {
  const code = role === "key" ? "WBPF2001" : "WBPF2002";
  const a = ops.expr(src);
  if (a.ty.k === "error") return a;
  const name = src.k === "name" ? src.name : `the ${role}`;
  if (a.ty.k === "sptr" && sameLayout(a.ty.layout, layout)) {
    if (a.ty.nullable) return fail(ops, "WBPF1007", src.span, `${name} may be null; check it before using it as a ${role} of '${map.name}': \`if (!${name}) return 0;\``);
    return a;
  }
  const what = a.ty.k === "untyped" && a.k === "const" ? `${role} ${a.value}` : `${role} of type ${typeName(a.ty)}`;
  return fail(ops, code, src.span, `${what} does not fit map '${map.name}' whose ${role} is struct ${layout.name}; pass a struct of that type, e.g. \`let k: \${${layout.name}}; k.${layout.fields[0]?.name ?? "field"} = ...;\` then \`${map.name}.${role === "key" ? "lookup(k)" : "update(key, k)"}\``);
}
