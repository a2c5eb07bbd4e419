/**
 * Kernel types from vmlinux BTF (/sys/kernel/btf/vmlinux, or a BTF file): struct layouts by
 * name for the compiler and `whistler btf`. Reading is pure over the bytes given; only
 * `readKernelBtf` touches the file system.
 */
import { readFileSync } from "node:fs";
import { WhistlerError } from "../../runtime/errors.js";
import { Btf, type BtfComposite, type BtfMember } from "../../loader/btf/index.js";

export const VMLINUX_BTF = "/sys/kernel/btf/vmlinux";

export function readKernelBtf(path = VMLINUX_BTF): Btf {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new WhistlerError(`cannot read kernel BTF ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, {
      cause: e, hint: "the kernel needs CONFIG_DEBUG_INFO_BTF=y; or pass a BTF file (e.g. from btfhub)",
    });
  }
  return Btf.parse(bytes, path);
}

export interface KernelField {
  readonly name: string;
  /** Byte offset (bitfields: of the byte holding their first bit). */
  readonly offset: number;
  readonly bitOffset: number;
  /** Bits of a bitfield; 0 when the field is not one. */
  readonly bitfieldSize: number;
  readonly size: number;
  /** C spelling of the type, e.g. "pid_t", "struct list_head", "char[16]". */
  readonly cType: string;
  readonly typeId: number;
}

export interface KernelStructLayout {
  readonly name: string;
  readonly kind: "struct" | "union";
  readonly size: number;
  readonly typeId: number;
  /** Members with anonymous structs/unions flattened into their parent (as C code sees them). */
  readonly fields: readonly KernelField[];
}

/** C spelling of a type. */
export function cTypeName(btf: Btf, id: number, depth = 0): string {
  if (depth > 16) return "...";
  const t = btf.type(id);
  switch (t.kind) {
    case "VOID": return "void";
    case "INT": case "FLOAT": case "TYPEDEF": return t.name;
    case "STRUCT": return `struct ${t.name || "(anon)"}`;
    case "UNION": return `union ${t.name || "(anon)"}`;
    case "ENUM": case "ENUM64": return `enum ${t.name || "(anon)"}`;
    case "FWD": return `${t.union ? "union" : "struct"} ${t.name}`;
    case "PTR": {
      const target = btf.type(t.type);
      return target.kind === "FUNC_PROTO" ? "void (*)(...)" : `${cTypeName(btf, t.type, depth + 1)} *`;
    }
    case "CONST": return `const ${cTypeName(btf, t.type, depth + 1)}`;
    case "VOLATILE": return `volatile ${cTypeName(btf, t.type, depth + 1)}`;
    case "RESTRICT": case "TYPE_TAG": return cTypeName(btf, t.type, depth + 1);
    case "ARRAY": return `${cTypeName(btf, t.type, depth + 1)}[${t.nelems}]`;
    case "FUNC_PROTO": return "function";
    case "FUNC": case "VAR": case "DATASEC": case "DECL_TAG": return t.name;
    default: { const never: never = t; return never; }
  }
}

function sizeOrZero(btf: Btf, id: number): number {
  try {
    return btf.sizeof(id);
  } catch {
    return 0;
  }
}

/**
 * The named members of a struct or union as C code sees them: members of anonymous structs
 * and unions are members of their parent, at their offset within it (nesting capped at 16).
 * `visit` gets each with its bit offset from `t`'s start and its nesting depth.
 */
export function forEachNamedMember(
  btf: Btf, t: BtfComposite, visit: (m: BtfMember, bitOffset: number, depth: number) => void, base = 0, depth = 0,
): void {
  for (const m of t.members) {
    const bitOffset = base + m.bitOffset;
    if (!m.name) {
      const inner = btf.resolve(m.type);
      if ((inner.kind === "STRUCT" || inner.kind === "UNION") && depth < 16) forEachNamedMember(btf, inner, visit, bitOffset, depth + 1);
      continue;
    }
    visit(m, bitOffset, depth);
  }
}

/** The layout of `struct name` (or union) in `btf`, or undefined. */
export function kernelStruct(btf: Btf, name: string): KernelStructLayout | undefined {
  const t = btf.find("STRUCT", name) ?? btf.find("UNION", name);
  if (!t || (t.kind !== "STRUCT" && t.kind !== "UNION")) return undefined;
  const fields: KernelField[] = [];
  forEachNamedMember(btf, t, (m, bitOffset) => fields.push({
    name: m.name, offset: Math.floor(bitOffset / 8), bitOffset, bitfieldSize: m.bitfieldSize,
    size: m.bitfieldSize ? Math.ceil(m.bitfieldSize / 8) : sizeOrZero(btf, m.type), cType: cTypeName(btf, m.type), typeId: m.type,
  }));
  return { name, kind: t.kind === "STRUCT" ? "struct" : "union", size: t.size, typeId: t.id, fields };
}

/** Named types whose name contains `pattern` (case-insensitive), with their kind. */
export function searchTypes(btf: Btf, pattern: string, limit = 200): { id: number; kind: string; name: string }[] {
  const p = pattern.toLowerCase();
  const out: { id: number; kind: string; name: string }[] = [];
  for (const t of btf.types) {
    if (t.name && t.name.toLowerCase().includes(p)) out.push({ id: t.id, kind: t.kind, name: t.name });
    if (out.length >= limit) break;
  }
  return out;
}
