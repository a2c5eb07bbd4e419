/**
 * Kernel struct layouts for `KernelStruct<"name">` in templates, in a small form the compiler
 * and the snapshot share: each struct or union with its named members (anonymous members
 * flattened into their parent, as C code sees them), their bit offsets and their types
 * reduced to what code generation needs (integer size and sign, pointer to which struct,
 * array, embedded struct).
 *
 * Where layouts come from, first hit wins:
 *   1. the BTF file named by WHISTLER_KERNEL_BTF (another kernel's, e.g. from btfhub); the
 *      value `snapshot` instead means the snapshot alone (reproducible builds that never
 *      read the build machine's kernel, as on a machine without vmlinux BTF);
 *   2. the snapshot committed with the package (`structs/snapshot.ts`, refreshed by
 *      `whistler btf --update`), so builds of the common structs are the same on every
 *      machine and need no /sys/kernel/btf/vmlinux;
 *   3. the running kernel's /sys/kernel/btf/vmlinux, for structs the snapshot lacks.
 * The offsets compiled in are only the object's starting point: every access is a CO-RE
 * relocation that the loader resolves against the kernel the object is loaded into.
 */
import { existsSync } from "node:fs";
import { BTF_INT_BOOL, BTF_INT_SIGNED, type Btf, type BtfComposite } from "../../loader/btf/index.js";
import { cTypeName, forEachNamedMember, VMLINUX_BTF } from "./vmlinux.js";
import { kernelBtfAt, SNAPSHOT_ONLY } from "./live-btf.js";
import { SNAPSHOT_STRUCTS_JSON } from "./structs/snapshot.js";

export type KType =
  /** An integer (through typedefs): `c` is its C name ("int", "long unsigned int", "_Bool"). */
  | { readonly k: "int"; readonly size: number; readonly signed: boolean; readonly c: string }
  | { readonly k: "enum"; readonly size: number; readonly signed: boolean; readonly c: string }
  /** A pointer; `to` names the struct or union it points to, when it does. */
  | { readonly k: "ptr"; readonly to?: string; readonly union?: true }
  | { readonly k: "array"; readonly elem: KType; readonly length: number }
  /** A named struct or union embedded by value. */
  | { readonly k: "struct"; readonly name: string; readonly union?: true }
  /** A named member whose type is an anonymous struct or union. */
  | { readonly k: "anon"; readonly def: KComposite }
  /** Anything else (floats, function pointers' targets): not readable from templates. */
  | { readonly k: "other"; readonly c: string; readonly size: number };

export interface KMember {
  readonly name: string;
  /** From the start of the struct (flattened anonymous members included). */
  readonly bitOffset: number;
  /** Bits of a bitfield; 0 when the member is not one. */
  readonly bitfieldSize: number;
  readonly type: KType;
}

export interface KComposite {
  /** Empty for an anonymous struct or union. */
  readonly name: string;
  readonly union?: true;
  readonly size: number;
  readonly members: readonly KMember[];
}

/** Size in bytes of a member type; 0 when it has none we know. */
export function ktypeSize(t: KType, lookup: (name: string) => KComposite | undefined): number {
  switch (t.k) {
    case "int": case "enum": case "other": return t.size;
    case "ptr": return 8;
    case "array": return t.length * ktypeSize(t.elem, lookup);
    case "struct": return lookup(t.name)?.size ?? 0;
    case "anon": return t.def.size;
  }
}

/** C spelling of a member type, for messages and docs. */
export function ktypeC(t: KType): string {
  switch (t.k) {
    case "int": return t.c;
    case "enum": return `enum ${t.c}`;
    case "ptr": return t.to ? `${t.union ? "union" : "struct"} ${t.to} *` : "void *";
    case "array": return `${ktypeC(t.elem)}[${t.length}]`;
    case "struct": return `${t.union ? "union" : "struct"} ${t.name}`;
    case "anon": return `${t.def.union ? "union" : "struct"} { ... }`;
    case "other": return t.c;
  }
}

/** The compiler's view of BTF type `id` (through typedefs and modifiers). */
export function ktype(btf: Btf, id: number, depth = 0): KType {
  const t = btf.resolve(id);
  switch (t.kind) {
    case "INT": return { k: "int", size: t.size, signed: (t.encoding & BTF_INT_SIGNED) !== 0, c: (t.encoding & BTF_INT_BOOL) !== 0 ? "_Bool" : t.name };
    case "ENUM": case "ENUM64": return { k: "enum", size: t.size, signed: t.signed, c: t.name };
    case "PTR": {
      const to = btf.resolve(t.type);
      if ((to.kind === "STRUCT" || to.kind === "UNION" || to.kind === "FWD") && to.name) {
        const union = to.kind === "UNION" || (to.kind === "FWD" && to.union);
        return union ? { k: "ptr", to: to.name, union: true } : { k: "ptr", to: to.name };
      }
      return { k: "ptr" };
    }
    case "ARRAY": return { k: "array", elem: ktype(btf, t.type, depth + 1), length: t.nelems };
    case "STRUCT": case "UNION":
      if (t.name) return t.kind === "UNION" ? { k: "struct", name: t.name, union: true } : { k: "struct", name: t.name };
      return depth > 16 ? { k: "other", c: "struct { ... }", size: t.size } : { k: "anon", def: compositeOf(btf, t, depth + 1) };
    default: {
      let size = 0;
      try {
        size = btf.sizeof(id);
      } catch {
        size = 0;
      }
      return { k: "other", c: cTypeName(btf, id), size };
    }
  }
}

export function compositeOf(btf: Btf, t: BtfComposite, depth = 0): KComposite {
  const members: KMember[] = [];
  forEachNamedMember(btf, t, (m, bitOffset, d) => members.push({ name: m.name, bitOffset, bitfieldSize: m.bitfieldSize, type: ktype(btf, m.type, d) }), 0, depth);
  return t.kind === "UNION" ? { name: t.name, union: true, size: t.size, members } : { name: t.name, size: t.size, members };
}

/** Where the compiler finds kernel struct layouts. */
export interface KernelTypes {
  composite(name: string): KComposite | undefined;
  /** Known struct and union names (for "did you mean"). */
  names(): Iterable<string>;
}

/** Layouts read from a BTF (a struct, else a union, of that name), converted on first use. */
export function btfKernelTypes(btf: Btf): KernelTypes {
  const cache = new Map<string, KComposite | undefined>();
  return {
    composite(name) {
      if (cache.has(name)) return cache.get(name);
      const t = btf.find("STRUCT", name) ?? btf.find("UNION", name);
      const c = t && (t.kind === "STRUCT" || t.kind === "UNION") ? compositeOf(btf, t) : undefined;
      cache.set(name, c);
      return c;
    },
    *names() {
      for (const t of btf.types) if ((t.kind === "STRUCT" || t.kind === "UNION") && t.name) yield t.name;
    },
  };
}

const snapshotParsed = new Map<string, KComposite>();

export const SNAPSHOT_TYPES: KernelTypes = {
  composite: (name) => {
    if (!Object.prototype.hasOwnProperty.call(SNAPSHOT_STRUCTS_JSON, name)) return undefined;
    let c = snapshotParsed.get(name);
    if (!c) snapshotParsed.set(name, (c = JSON.parse(SNAPSHOT_STRUCTS_JSON[name]!) as KComposite));
    return c;
  },
  names: () => Object.keys(SNAPSHOT_STRUCTS_JSON),
};

function chain(sources: readonly (() => KernelTypes | undefined)[]): KernelTypes {
  const live = () => sources.map((s) => s()).filter((s): s is KernelTypes => s !== undefined);
  return {
    composite(name) {
      for (const s of live()) {
        const c = s.composite(name);
        if (c) return c;
      }
      return undefined;
    },
    *names() {
      const seen = new Set<string>();
      for (const s of live()) for (const n of s.names()) if (!seen.has(n)) (seen.add(n), yield n);
    },
  };
}

let fileTypes: { path: string; types: KernelTypes } | undefined;
let vmlinuxTypes: KernelTypes | null | undefined;

export { SNAPSHOT_ONLY };

/** The BTF file of WHISTLER_KERNEL_BTF (its parse shared with enums and tp_btf prototypes). */
function overrideTypes(): KernelTypes | undefined {
  const path = process.env.WHISTLER_KERNEL_BTF;
  if (!path || path === SNAPSHOT_ONLY) return undefined;
  if (fileTypes?.path !== path) fileTypes = { path, types: btfKernelTypes(kernelBtfAt(path)) };
  return fileTypes.types;
}

/** The running kernel's BTF, read on the first struct the snapshot lacks; none when absent. */
function runningKernelTypes(): KernelTypes | undefined {
  if (process.env.WHISTLER_KERNEL_BTF === SNAPSHOT_ONLY) return undefined;
  if (vmlinuxTypes === undefined) vmlinuxTypes = existsSync(VMLINUX_BTF) ? btfKernelTypes(kernelBtfAt(VMLINUX_BTF)) : null;
  return vmlinuxTypes ?? undefined;
}

/** The layouts templates compile against (see the file comment for the order). */
export const KERNEL_TYPES: KernelTypes = chain([overrideTypes, () => SNAPSHOT_TYPES, runningKernelTypes]);
