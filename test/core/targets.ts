/**
 * Synthetic target BTF for CO-RE tests: a kernel's view of the structs and enums the fixtures
 * touch, reduced to chosen members at chosen offsets and sizes (moved, resized, renamed or
 * missing), as raw BTF bytes or a file for libbpf.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BtfBuilder } from "../loader/btf-builder.js";

const PTR = 2, ARRAY = 3, STRUCT = 4, ENUM = 6, TYPEDEF = 8, ENUM64 = 19;

export interface BaseTypes {
  readonly u16: number;
  readonly u32: number;
  readonly u64: number;
  readonly int: number;
  readonly long: number;
  /** `void *` (CO-RE compares pointer fields by kind only). */
  readonly ptr: number;
  /** `char[n]` */
  chars(n: number): number;
  /** `elem[n]` */
  array(elem: number, n: number): number;
  /** A struct of the spec listed before the one using it. */
  struct(name: string): number;
}

/** name, byte offset, type */
export type Member = readonly [string, number, (t: BaseTypes) => number];

export interface TargetSpec {
  readonly structs?: readonly { readonly name: string; readonly size: number; readonly members: readonly Member[] }[];
  /** An enum with a bigint value is an 8-byte ENUM64. */
  readonly enums?: readonly { readonly name: string; readonly values: readonly (readonly [string, number | bigint])[] }[];
}

/** Raw BTF with the given structs and enums (and the base types they use). */
export function buildTarget(spec: TargetSpec): Uint8Array {
  const b = new BtfBuilder();
  const uint = b.int("unsigned int", 4);
  const t: BaseTypes = {
    int: b.int("int", 4, true),
    long: b.int("long", 8, true),
    u32: b.type("__u32", TYPEDEF, 0, uint),
    u16: b.type("__u16", TYPEDEF, 0, b.int("unsigned short", 2)),
    u64: b.type("__u64", TYPEDEF, 0, b.int("long long unsigned int", 8)),
    ptr: b.type("", PTR, 0, 0),
    chars: (n) => b.type("", ARRAY, 0, 0, [b.int("char", 1, true), uint, n]),
    array: (elem, n) => b.type("", ARRAY, 0, 0, [elem, uint, n]),
    struct: (name) => {
      const id = structs.get(name);
      if (id === undefined) throw new Error(`buildTarget: struct ${name} is used before it is listed`);
      return id;
    },
  };
  const structs = new Map<string, number>();
  for (const s of spec.structs ?? []) {
    const members = s.members.map(([name, off, type]) => [b.str(name), type(t), off * 8]);
    structs.set(s.name, b.type(s.name, STRUCT, members.length, s.size, members.flat()));
  }
  for (const e of spec.enums ?? []) {
    if (e.values.some(([, v]) => typeof v === "bigint")) {
      const halves = (v: bigint) => [Number(BigInt.asUintN(64, v) & 0xffffffffn), Number(BigInt.asUintN(64, v) >> 32n)];
      b.type(e.name, ENUM64, e.values.length, 8, e.values.flatMap(([n, v]) => [b.str(n), ...halves(BigInt(v))]));
    } else {
      b.type(e.name, ENUM, e.values.length, 4, e.values.flatMap(([n, v]) => [b.str(n), Number(v)]));
    }
  }
  return b.build();
}

export function writeTarget(dir: string, name: string, spec: TargetSpec): { path: string; bytes: Uint8Array } {
  const bytes = buildTarget(spec);
  const path = join(dir, `${name}.btf`);
  writeFileSync(path, bytes);
  return { path, bytes };
}
