/**
 * Kernel structs in templates: `KernelStruct<"task_struct">` types a kernel address, and
 * `task.real_parent.tgid` reads through it as BPF_CORE_READ does in C: each step through a
 * pointer is one bpf_probe_read_kernel from `base + offset`, where the offset is a CO-RE
 * relocated constant (the loader rewrites it for the kernel the object runs on). Steps into
 * embedded structs add to the same access ("0:12:3"), as clang folds them.
 *
 * Field types: integers and enums (size and sign from the kernel's BTF), pointers (to a
 * struct: chainable; others: u64), embedded structs and unions (anonymous members are
 * flattened as C sees them), arrays of any of these (`task.comm`: an address for
 * probe_read_kernel_str; `task.signal.rlim[7]`: an element at a constant index, which the
 * access string records as clang's does), integer bitfields (read and shifted as libbpf's
 * BPF_CORE_READ_BITFIELD does). Other types, and bitfields spanning more than 8 aligned bytes,
 * are WBPF1018.
 */
import type { ScalarName } from "../../runtime/types.js";
import type { Span } from "../diagnostics.js";
import { CORE_KIND, type CoreAccess, type CoreKind } from "../btf/core.js";
import { kernelEnum, kernelEnumNames } from "../kernel/kernel-enums.js";
import { KERNEL_TYPES, ktypeC, ktypeSize, type KComposite, type KMember, type KType } from "../kernel/kernel-types.js";
import type { Expr, KernelStructRef } from "./ast.js";
import { errorNode, fail, type CheckOps } from "./check-ops.js";
import { suggest } from "./suggest.js";
import type { TExpr } from "./typed.js";
import { scalar, typeName, type Type } from "./types.js";

const UNSIGNED: Readonly<Record<number, ScalarName>> = { 1: "u8", 2: "u16", 4: "u32", 8: "u64" };
const SIGNED: Readonly<Record<number, ScalarName>> = { 1: "i8", 2: "i16", 4: "i32", 8: "i64" };

export const FIELD_EXISTS = "field_exists";

/** The kernel struct (or union) `name`, or a WBPF1017 at `span` with the nearest names. */
export function kernelStructType(ops: Pick<CheckOps, "sink">, ref: KernelStructRef): Extract<Type, { k: "kptr" }> | undefined {
  const comp = KERNEL_TYPES.composite(ref.name);
  if (comp) return { k: "kptr", comp };
  const near = suggest(ref.name, KERNEL_TYPES.names());
  ops.sink.error("WBPF1017", ref.span, `unknown kernel struct '${ref.name}'${near ? `; did you mean '${near}'?` : ""} (the build knows the structs of its snapshot and, on a machine with /sys/kernel/btf/vmlinux, the running kernel's; \`whistler btf search ${ref.name}\` lists similar names)`);
  return undefined;
}

/** An argument for a `KernelStruct<"name">` parameter: that struct's address, or a u64. */
export function kernelArg(ops: CheckOps, a: TExpr, want: KComposite, what: string): TExpr {
  if (a.ty.k === "error") return a;
  if (a.ty.k === "kptr" && a.ty.comp.name === want.name) return { k: "retype", ty: scalar("u64"), e: a, span: a.span };
  if (a.ty.k === "scalar" && a.ty.name === "u64") return a;
  return fail(ops, "WBPF1003", a.span, `${what} is a KernelStruct<"${want.name}">, not ${typeName(a.ty)}`);
}

/** `v as KernelStruct<"name">`: a u64 (an address from get_current_task or a ctx argument). */
export function kernelCast(ops: CheckOps, v: TExpr, ref: KernelStructRef, span: Span): TExpr {
  const ty = kernelStructType(ops, ref);
  if (!ty) return errorNode(span);
  if (v.ty.k === "error") return v;
  if (v.ty.k === "kptr" || (v.ty.k === "scalar" && v.ty.name === "u64") || v.ty.k === "untyped") return { k: "retype", ty, e: v.ty.k === "untyped" ? ops.convert(v, "u64", "WBPF1008", () => "a kernel address is a u64") : v, span };
  return fail(ops, "WBPF1003", v.span, `only a u64 address (e.g. get_current_task(), ctx.args[0]) can be read as ${typeName(ty)}, not ${typeName(v.ty)}`);
}

/** Where an access through `base` starts: a new root, or the embedded access `base` ends in. */
function startOf(base: TExpr, comp: KComposite): Place | undefined {
  if (base.k === "kaddr") return { base: base.base, root: base.access.root, path: base.access.path, offset: Number(base.access.value) };
  return comp.name ? { base, root: comp.name, path: [], offset: 0 } : undefined;
}

function coreAccess(root: string, path: readonly (string | number)[], kind: CoreKind, value: number): CoreAccess {
  return { root, path, kind, value: BigInt(value) };
}

/** The member `e.name` of the kernel struct `base` points to, or a diagnostic. */
function findMember(ops: CheckOps, comp: KComposite, e: Extract<Expr, { k: "member" }>): KMember | undefined {
  const m = comp.members.find((x) => x.name === e.name);
  if (m) return m;
  const what = comp.name ? `${comp.union ? "union" : "struct"} ${comp.name}` : "this anonymous kernel struct";
  const near = suggest(e.name, comp.members.map((x) => x.name));
  ops.sink.error("WBPF1017", e.nameSpan, `${what} has no field '${e.name}'${near ? `; did you mean '${near}'?` : ""} (\`whistler btf dump ${comp.name || "STRUCT"}\` lists its fields)`);
  return undefined;
}

/** `p.field` where `p` (checked) is a kernel struct address. */
export function kernelMember(ops: CheckOps, base: TExpr, e: Extract<Expr, { k: "member" }>): TExpr {
  if (base.ty.k !== "kptr") return errorNode(e.span);
  const comp = base.ty.comp;
  const m = findMember(ops, comp, e);
  if (!m) return errorNode(e.span);
  const start = startOf(base, comp);
  if (!start) return fail(ops, "WBPF1018", e.target.span, "an anonymous kernel struct has no name to relocate against: read its fields through its parent in one expression, e.g. `task.parent_field.inner`");
  const unsupported = (why: string) => fail(ops, "WBPF1018", e.nameSpan, `'${e.name}' (${ktypeC(m.type)}) ${why}`);
  if (m.bitfieldSize) return bitfield(ops, base, start, m, e);
  if (m.bitOffset % 8) return unsupported("does not start on a byte");
  return valueAt(base, { ...start, path: [...start.path, e.name], offset: start.offset + m.bitOffset / 8 }, m.type, e.span, unsupported);
}

/** Where a value inside a kernel struct is: the address it is read through, and the access to it. */
interface Place {
  readonly base: TExpr;
  readonly root: string;
  readonly path: readonly (string | number)[];
  readonly offset: number;
}

/**
 * The value of type `t` at `at` (a member, or an element of an array member) of the kernel
 * struct `base` points to: a read for integers and pointers, an address for embedded structs
 * and arrays (read further by a member or an index), or `unsupported`'s diagnostic.
 */
function valueAt(base: TExpr, at: Place, t: KType, span: Span, unsupported: (why: string) => TExpr): TExpr {
  const access = coreAccess(at.root, at.path, CORE_KIND.FIELD_BYTE_OFFSET, at.offset);
  // Through a BTF pointer, fields are direct loads and what they lead to is BTF-typed too.
  const throughBtf = (base.ty.k === "kptr" || base.ty.k === "kbuf") && base.ty.btf === true;
  const btf = throughBtf ? { btf: true as const } : {};
  const direct = throughBtf ? { direct: true as const } : {};
  switch (t.k) {
    case "int":
    case "enum": {
      if (![1, 2, 4, 8].includes(t.size)) return unsupported(`is ${t.size} bytes wide; templates read 1, 2, 4 or 8`);
      const size = t.size as 1 | 2 | 4 | 8;
      const raw: TExpr = { k: "kread", ty: scalar(UNSIGNED[size]!), base: at.base, access, size, span, ...direct };
      const want: ScalarName = t.c === "_Bool" ? "bool" : t.signed ? SIGNED[size]! : UNSIGNED[size]!;
      if (want === "bool") return { k: "cmp", op: "ne", ty: scalar("bool"), l: raw, r: { k: "const", ty: scalar("u8"), value: 0n, span }, span };
      return want === UNSIGNED[size] ? raw : { k: "convert", ty: scalar(want), e: raw, span };
    }
    case "ptr": {
      const to = t.to ? KERNEL_TYPES.composite(t.to) : undefined;
      return { k: "kread", ty: to ? { k: "kptr", comp: to, ...btf } : scalar("u64"), base: at.base, access, size: 8, span, ...direct };
    }
    case "struct": {
      const inner = KERNEL_TYPES.composite(t.name);
      if (!inner) return unsupported("is a struct the build's kernel types do not define");
      return { k: "kaddr", ty: { k: "kptr", comp: inner, ...btf }, base: at.base, access, span };
    }
    case "anon":
      return { k: "kaddr", ty: { k: "kptr", comp: t.def, ...btf }, base: at.base, access, span };
    case "array": {
      const el = t.elem;
      const elemSize = ktypeSize(el, (n) => KERNEL_TYPES.composite(n));
      const readable = el.k === "int" || el.k === "enum" ? [1, 2, 4, 8].includes(el.size) : el.k === "struct" || el.k === "anon" || el.k === "ptr";
      if (!readable || elemSize === 0) return unsupported("is an array of a type templates cannot read (integers, enums, pointers, structs and unions)");
      return { k: "kaddr", ty: { k: "kbuf", elem: el, elemSize, length: t.length, char: el.k === "int" && el.size === 1, ...btf }, base: at.base, access, span };
    }
    case "other":
      return unsupported("has a type templates cannot read");
  }
}

/**
 * `arr[i]` where `arr` (checked) is an array inside a kernel struct (`task.signal.rlim[7]`):
 * element `i`, a constant (the relocation records it in the access string, as clang does for
 * `rlim[RLIMIT_NOFILE]`), at its CO-RE relocated offset.
 */
export function kernelIndex(ops: CheckOps, arr: TExpr, index: TExpr, e: Extract<Expr, { k: "index" }>): TExpr {
  if (arr.ty.k !== "kbuf" || arr.k !== "kaddr") {
    return fail(ops, "WBPF1002", e.span, `${typeName(arr.ty)} kept in a local cannot be indexed: each element's offset is relocated from the struct the array is in, so index it where it is read, e.g. \`task.signal.rlim[7]\``);
  }
  const ty = arr.ty;
  if (index.ty.k === "error") return index;
  if (index.k !== "const") return fail(ops, "WBPF1008", index.span, "an index into a kernel struct's array must be a compile-time constant (the loader relocates each element's offset), e.g. `rlim[7]`");
  if (index.value < 0n || (ty.length > 0 && index.value >= BigInt(ty.length))) {
    return fail(ops, "WBPF1008", index.span, `index ${index.value} is outside ${typeName(ty)} (0 to ${ty.length - 1})`);
  }
  const i = Number(index.value);
  const at = arr.access;
  const place: Place = { base: arr.base, root: at.root, path: [...at.path, i], offset: Number(at.value) + i * ty.elemSize };
  return valueAt(arr, place, ty.elem, e.span, (why) => fail(ops, "WBPF1018", e.span, `element ${i} (${ktypeC(ty.elem)}) ${why}`));
}

/** `field_exists(task.field)`: 1, or 0 when the kernel the object loads into lacks the field. */
export function fieldExists(ops: CheckOps, e: Extract<Expr, { k: "call" }>): TExpr {
  return fieldQuery(ops, e, CORE_KIND.FIELD_EXISTS);
}

/** `field_exists`, `field_size` (bytes, as libbpf's FIELD_BYTE_SIZE) or `field_offset` of a kernel struct field. */
function fieldQuery(ops: CheckOps, e: Extract<Expr, { k: "call" }>, kind: CoreKind): TExpr {
  const arg = e.args[0];
  if (e.args.length !== 1 || !arg || arg.k !== "member") {
    return fail(ops, "WBPF1006", e.span, `${e.callee} takes one kernel struct field, e.g. \`${e.callee}(task.real_parent)\``);
  }
  const base = ops.expr(arg.target);
  if (base.ty.k === "error") return base;
  if (base.ty.k !== "kptr") return fail(ops, "WBPF1003", arg.target.span, `${e.callee} asks about kernel struct fields; ${typeName(base.ty)} is not a KernelStruct`);
  const read = kernelMember(ops, base, arg);
  if (read.ty.k === "error") return read;
  const inner = read.k === "convert" ? read.e : read.k === "cmp" ? read.l : read;
  const at = inner.k === "kread" || inner.k === "kaddr" ? inner.access : inner.k === "kbitfield" ? inner.accesses.offset : undefined;
  if (!at) return errorNode(e.span);
  const size = inner.k === "kread" ? inner.size : inner.k === "kbitfield" ? Number(inner.accesses.size.value)
    : inner.ty.k === "kptr" ? inner.ty.comp.size : inner.ty.k === "kbuf" ? inner.ty.elemSize * inner.ty.length : 0;
  const value = kind === CORE_KIND.FIELD_EXISTS ? 1n : kind === CORE_KIND.FIELD_BYTE_SIZE ? BigInt(size) : at.value;
  return { k: "kconst", ty: scalar("u32"), access: { ...at, kind, value }, span: e.span };
}

/**
 * `ctx.args[i]` of a BTF raw tracepoint, typed by the kernel's prototype: a pointer to a
 * struct is a BTF `KernelStruct` (direct loads), an integer its C type, anything else a u64.
 */
export function typedTracingArg(load: TExpr, t: KType): TExpr {
  const span = load.span;
  switch (t.k) {
    case "ptr": {
      const comp = t.to ? KERNEL_TYPES.composite(t.to) : undefined;
      return comp ? { k: "retype", ty: { k: "kptr", comp, btf: true }, e: load, span } : load;
    }
    case "int":
    case "enum": {
      if (![1, 2, 4, 8].includes(t.size)) return load;
      if (t.c === "_Bool") return { k: "cmp", op: "ne", ty: scalar("bool"), l: load, r: { k: "const", ty: scalar("u64"), value: 0n, span }, span };
      const want = (t.signed ? SIGNED : UNSIGNED)[t.size]!;
      return want === "u64" ? load : { k: "convert", ty: scalar(want), e: load, span };
    }
    default:
      return load;
  }
}

/** Builtins about kernel types themselves, each one CO-RE constant. */
export const KERNEL_TYPE_BUILTINS: ReadonlySet<string> = new Set([FIELD_EXISTS, "field_size", "field_offset", "type_exists", "type_size", "enum_value", "enum_exists"]);

/** A string literal argument, or a diagnostic. */
function literal(ops: CheckOps, e: Extract<Expr, { k: "call" }>, i: number, what: string): { value: string; span: Span } | undefined {
  const a = e.args[i];
  if (a?.k === "str") return { value: a.value, span: { start: a.span.start + 1, end: a.span.end - 1 } };
  ops.sink.error("WBPF1015", a?.span ?? e.span, `argument ${i + 1} of '${e.callee}' is ${what} as a string literal, e.g. ${e.callee === "type_exists" || e.callee === "type_size" ? `${e.callee}("task_struct")` : `${e.callee}("pid_type", "PIDTYPE_TGID")`}`);
  return undefined;
}

/**
 * `field_exists(task.x)`, `type_exists("name")` / `type_size("name")` of a kernel struct or
 * union, `enum_value("enum", "ENUMERATOR")` / `enum_exists(...)`: the build's value, relocated
 * by the loader for the target kernel (0 from the *_exists kinds where it lacks the name).
 */
export function kernelTypeBuiltin(ops: CheckOps, e: Extract<Expr, { k: "call" }>): TExpr {
  if (e.callee === FIELD_EXISTS) return fieldExists(ops, e);
  if (e.callee === "field_size") return fieldQuery(ops, e, CORE_KIND.FIELD_BYTE_SIZE);
  if (e.callee === "field_offset") return fieldQuery(ops, e, CORE_KIND.FIELD_BYTE_OFFSET);
  const want = e.callee.startsWith("enum_") ? 2 : 1;
  if (e.args.length !== want) return fail(ops, "WBPF1006", e.span, `'${e.callee}' takes ${want} string literal${want > 1 ? "s" : ""}, got ${e.args.length} arguments`);
  const name = literal(ops, e, 0, want === 2 ? "the enum's name" : "the struct's name");
  if (!name) return errorNode(e.span);
  if (want === 1) {
    const ty = kernelStructType(ops, { name: name.value, span: name.span });
    if (!ty || ty.k !== "kptr") return errorNode(e.span);
    const exists = e.callee === "type_exists";
    return { k: "kconst", ty: scalar("u32"), access: { root: name.value, path: [], kind: exists ? CORE_KIND.TYPE_EXISTS : CORE_KIND.TYPE_SIZE, value: exists ? 1n : BigInt(ty.comp.size) }, span: e.span };
  }
  const en = kernelEnum(name.value);
  if (!en) {
    const near = suggest(name.value, kernelEnumNames());
    return fail(ops, "WBPF1017", name.span, `unknown kernel enum '${name.value}'${near ? `; did you mean '${near}'?` : ""} (enums come from the kernel's BTF: /sys/kernel/btf/vmlinux or WHISTLER_KERNEL_BTF)`);
  }
  const item = literal(ops, e, 1, "the enumerator's name");
  if (!item) return errorNode(e.span);
  const v = en.values.find((x) => x.name === item.value);
  if (!v) {
    const near = suggest(item.value, en.values.map((x) => x.name));
    return fail(ops, "WBPF1017", item.span, `enum ${en.name} has no enumerator '${item.value}'${near ? `; did you mean '${near}'?` : ""}`);
  }
  const exists = e.callee === "enum_exists";
  const enumValues = { size: en.size, values: en.values };
  return {
    k: "kconst", ty: scalar(exists ? "u32" : "i64"),
    access: { root: en.name, path: [item.value], kind: exists ? CORE_KIND.ENUMVAL_EXISTS : CORE_KIND.ENUMVAL_VALUE, value: exists ? 1n : v.value, enumValues },
    span: e.span,
  };
}

/**
 * A bitfield read, with the local values libbpf's bpf_core_calc_field_relo gives (the loader
 * checks each instruction holds them): the smallest aligned load of the field's integer size
 * or wider that covers it, and the shifts that isolate it in a little-endian u64.
 */
function bitfield(ops: CheckOps, base: TExpr, start: NonNullable<ReturnType<typeof startOf>>, m: KMember, e: Extract<Expr, { k: "member" }>): TExpr {
  const t = m.type;
  if (t.k !== "int" && t.k !== "enum") return fail(ops, "WBPF1018", e.nameSpan, `'${e.name}' is a bitfield of ${ktypeC(t)}; templates read integer bitfields`);
  const bitOff = start.offset * 8 + m.bitOffset;
  let byteSize = t.size;
  let byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
  while (bitOff + m.bitfieldSize - byteOff * 8 > byteSize * 8) {
    if (byteSize >= 8) return fail(ops, "WBPF1018", e.nameSpan, `'${e.name}' spans more than 8 aligned bytes; it cannot be read with one load`);
    byteSize *= 2;
    byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
  }
  const path = [...start.path, e.name];
  const at = (kind: CoreKind, value: number) => coreAccess(start.root, path, kind, value);
  const accesses = {
    offset: at(CORE_KIND.FIELD_BYTE_OFFSET, byteOff), size: at(CORE_KIND.FIELD_BYTE_SIZE, byteSize),
    lshift: at(CORE_KIND.FIELD_LSHIFT_U64, 64 - (bitOff + m.bitfieldSize - byteOff * 8)), rshift: at(CORE_KIND.FIELD_RSHIFT_U64, 64 - m.bitfieldSize),
  };
  const raw: TExpr = { k: "kbitfield", ty: scalar(t.signed ? "i64" : "u64"), base: start.base, accesses, signed: t.signed, span: e.span };
  const size = [1, 2, 4, 8].includes(t.size) ? t.size : 8;
  const want: ScalarName = t.c === "_Bool" ? "bool" : t.signed ? SIGNED[size]! : UNSIGNED[size]!;
  if (want === "bool") return { k: "cmp", op: "ne", ty: scalar("bool"), l: raw, r: { k: "const", ty: scalar("u64"), value: 0n, span: e.span }, span: e.span };
  return want === "u64" || want === "i64" ? raw : { k: "convert", ty: scalar(want), e: raw, span: e.span };
}

/** Operands of a comparison involving a kernel address: each address (and null) as a u64. */
export function kernelAddressOperands(l: TExpr, r: TExpr): [TExpr, TExpr] {
  const u64 = (x: TExpr): TExpr =>
    x.ty.k === "kptr" ? { k: "retype", ty: scalar("u64"), e: x, span: x.span } : x.ty.k === "null" ? { k: "const", ty: scalar("u64"), value: 0n, span: x.span } : x;
  return [u64(l), u64(r)];
}

