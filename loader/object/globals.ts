/**
 * Setting global variables before load, by name, like a libbpf skeleton's
 * `skel->rodata->verdict = 1`: `.rodata` knobs (`const volatile` in C, module-level `const`
 * in our templates) become constants the verifier sees, `.data` variables start at the given
 * value. Names, offsets and sizes come from the symbol table. Pure: returns a new spec.
 */
import { WhistlerError } from "../../runtime/errors.js";
import type { GlobalVariable, MapSpec, ObjectSpec } from "./spec.js";

/** A value for a global: integers up to 8 bytes (number, bigint, boolean) or raw bytes. */
export type GlobalValue = number | bigint | boolean | Uint8Array;

/** Variables of every global-data section, by name: where the symbol table puts them. */
export function globalVariables(spec: ObjectSpec): ReadonlyMap<string, GlobalVariable> {
  return spec.globals;
}

function encode(name: string, value: GlobalValue, size: number): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length > size) throw new WhistlerError(`global "${name}" is ${size} bytes; ${value.length} bytes given`);
    const out = new Uint8Array(size);
    out.set(value);
    return out;
  }
  const v = typeof value === "boolean" ? (value ? 1n : 0n) : BigInt(value);
  const bits = BigInt(size * 8);
  if (size > 8 || v >= 1n << bits || v < -(1n << (bits - 1n))) {
    throw new WhistlerError(`global "${name}" (${size} bytes) cannot hold ${value}`, { hint: size > 8 ? "pass a Uint8Array for arrays and structs" : undefined });
  }
  const u = BigInt.asUintN(Number(bits), v);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = Number((u >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** `spec` with the named globals' initial values replaced (the object's bytes are not touched). */
export function withGlobals(spec: ObjectSpec, values: Readonly<Record<string, GlobalValue>>): ObjectSpec {
  const names = Object.keys(values);
  if (names.length === 0) return spec;
  const vars = globalVariables(spec);
  const contents = new Map<string, Uint8Array>();
  for (const name of names) {
    const g = vars.get(name);
    if (!g) {
      throw new WhistlerError(`no global variable "${name}" in the object`, {
        hint: vars.size ? `globals: ${[...vars.keys()].join(", ")}` : "the object has no global data with BTF (compile with -g)",
      });
    }
    const map = spec.maps.get(g.section)!;
    const bytes = contents.get(g.section) ?? (map.initial?.slice() ?? new Uint8Array(map.valueSize));
    bytes.set(encode(name, values[name]!, g.size), g.offset);
    contents.set(g.section, bytes);
  }
  const maps = new Map<string, MapSpec>(spec.maps);
  for (const [section, initial] of contents) maps.set(section, { ...spec.maps.get(section)!, initial });
  return { ...spec, maps };
}
