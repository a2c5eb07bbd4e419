/**
 * What the editor shows for each name a template can use: one signature line and a short
 * documentation text, built from the compiler's own tables (helpers, intrinsics, constants,
 * context kinds, map methods, scalar types) so editor, build and docs never disagree.
 * Completion details and hover (quickinfo) both read from here.
 */
import { SCALARS, type ScalarName } from "../../runtime/types.js";
import { MAP_TYPE_IDS, type MapKind } from "../../runtime/map-decl.js";
import { elemTypeName, mapKeySize, mapValueSize, type MapSlotInfo, type SlotValue } from "../api.js";
import { describeFieldType, type StructFieldLayout, type StructLayout } from "../../runtime/struct/layout.js";
import { cDeclarator } from "../structs/gen-c.js";
import { tracepointCtxFields } from "../frontend/tracepoint-ctx.js";
import type { TracepointField } from "../kernel/tracepoints.js";
import { CTX_KINDS, type CtxField, type CtxKindDef, type ProgType } from "../frontend/ctx.js";
import { helperAllowed, type HelperDef } from "../frontend/helpers.js";
import { BPF_LOOP_HELPER } from "../frontend/bpf-loop.js";
import type { NullableSource } from "./ls-site.js";
import { PRINTK_NAMES, TRACE_PRINTK } from "../frontend/printk.js";
import { BPF_STRNCMP, STRNCMP } from "../frontend/strncmp.js";
import { TIMER_HELPERS } from "../frontend/timers.js";
import { BUILTIN_KFUNCS } from "../frontend/kfuncs.js";
import { MAP_METHODS, type Intrinsic } from "../frontend/builtins.js";
import { rangeOf } from "../frontend/types.js";
import { KERNEL_TYPES, ktypeC, ktypeSize, type KComposite, type KMember } from "../kernel/kernel-types.js";
import type { KernelChainEnd } from "./ls-kernel.js";
import type { StructChainEnd } from "./ls-struct-chain.js";

/** The element kinds we report, spelled as TypeScript's `ScriptElementKind` values. */
export type DocKind =
  | "function" | "const" | "type" | "interface" | "property" | "method" | "parameter" | "let" | "keyword";

export interface Doc {
  readonly kind: DocKind;
  /** One-line signature, e.g. `function ktime_get_ns(): u64`. */
  readonly display: string;
  readonly documentation: string;
}

export function helperDoc(name: string, h: HelperDef, prog: ProgType | undefined): Doc {
  const params = h.params.map((p, i) => `arg${i}: ${p}`).join(", ");
  const types = h.progTypes === "all" ? "all" : h.progTypes.join(", ");
  const lines = [h.doc, "", `Kernel helper #${h.id} (bpf_${name}). Program types: ${types}.`];
  if (h.note) lines.push(`Note: ${h.note}.`);
  if (prog && !helperAllowed(h, prog)) lines.push(`Not allowed in ${prog} programs (WBPF1005).`);
  return { kind: "function", display: `function ${name}(${params}): ${h.ret}`, documentation: lines.join("\n") };
}

/** `bpf_loop`: checked apart from the helper table (its callback is a template function). */
export function bpfLoopDoc(): Doc {
  const h = BPF_LOOP_HELPER;
  const lines = [h.doc, "", `Kernel helper #${h.id} (bpf_loop). Program types: all. Note: ${h.note}.`, "The callback is a non-exported function `(i: u64, c: ${Ctx}): i64` returning 0 (go on) or 1 (stop); the context is a stack struct local or null."];
  return { kind: "function", display: "function bpf_loop(n: u32, callback: (i: u64, c: ${Ctx}) => i64, c: ${Ctx} | null): i64", documentation: lines.join("\n") };
}

/**
 * Calls checked apart from the helper table: printk, strncmp, timers and built-in kfuncs.
 * With `prog`, only those that program type may call (timers are refused in tracing types).
 */
export function callDocs(prog: ProgType | undefined): Map<string, Doc> {
  const m = new Map<string, Doc>();
  const printk = [TRACE_PRINTK.doc, "", "Kernel helpers #6 (bpf_trace_printk, up to 3 arguments) and #177 (bpf_trace_vprintk, up to 12); the format goes to .rodata.", "Conversions: %d %i %u %x %X (l or ll for 64 bits), %c, %s, %p (pK px ps pS pB pi4 pI4 pi6 pI6), %%."];
  for (const name of PRINTK_NAMES) m.set(name, { kind: "function", display: `function ${name}(fmt: "...", ...args): i64`, documentation: printk.join("\n") });
  m.set(STRNCMP, { kind: "function", display: `function ${STRNCMP}(buf: char array, s: "..."): i64`, documentation: `${BPF_STRNCMP.doc}\n\nKernel helper #${BPF_STRNCMP.id} (bpf_strncmp). Note: ${BPF_STRNCMP.note}.` });
  for (const [name, h] of Object.entries(TIMER_HELPERS)) {
    if (prog && !helperAllowed(h, prog)) continue;
    m.set(name, helperDoc(name, h, prog));
  }
  for (const [name, k] of Object.entries(BUILTIN_KFUNCS)) {
    const params = k.params.map((p) => `${p.name}: ${p.type}`).join(", ");
    m.set(name, { kind: "function", display: `function ${name}(${params}): ${k.ret}`, documentation: `${k.doc ?? ""}\n\nKernel function (kfunc): called by its BTF id in the running kernel's BTF.` });
  }
  return m;
}

export function intrinsicDoc(name: string, i: Intrinsic): Doc {
  if (i.kind === "load") {
    const t = `u${i.size * 8}`;
    return { kind: "function", display: `function ${name}(p: packet pointer, off: constant): ${t}`, documentation: `${i.doc}. Compare p + off + ${i.size} against ctx.data_end first.` };
  }
  const t = `u${i.bits}`;
  return { kind: "function", display: `function ${name}(x: ${t}): ${t}`, documentation: i.doc };
}

export function constantDoc(name: string, value: bigint): Doc {
  return { kind: "const", display: `const ${name} = ${value}`, documentation: "Untyped integer constant: it takes the type it is used with." };
}

export function scalarDoc(name: ScalarName): Doc {
  const s = SCALARS[name];
  const [lo, hi] = rangeOf(name);
  const what = name === "bool" ? "boolean, true or false" : `${s.signed ? "signed" : "unsigned"} ${s.size * 8}-bit integer, ${lo} to ${hi}`;
  return { kind: "type", display: `type ${name}`, documentation: `${what}; ${s.size} byte${s.size === 1 ? "" : "s"}.` };
}

function fieldType(f: CtxField): string {
  return f.type === "pkt" ? "packet pointer" : f.type === "pkt_end" ? "packet end pointer" : f.type;
}

/** `offset  size  type  name` rows of a layout, aligned for a monospace hover. */
function layoutTable(rows: readonly { name: string; offset: number; size: number; type: string }[]): string {
  const body = rows.map((r) => `  ${String(r.offset).padStart(3)}  ${String(r.size).padStart(2)}  ${r.type.padEnd(18)} ${r.name}`);
  return ["```", "  off  sz  type               field", ...body, "```"].join("\n");
}

export function ctxKindDoc(name: string, def: CtxKindDef): Doc {
  const rows = Object.entries(def.fields).map(([f, v]) => ({ name: f, offset: v.offset, size: v.size, type: fieldType(v) }));
  const sample = def.typeArgs > 0 ? def.usage.split(",")[0]! : name;
  const lines = [`Context of ${def.progType} programs: \`${def.usage}\`. Section: ${def.section(def.typeArgs > 0 ? ["group/name"] : [])}.`];
  if (def.btf.kind === "struct") lines.push(`Kernel struct ${def.btf.name}, ${def.btf.size} bytes. Readable fields:`);
  lines.push(rows.length ? layoutTable(rows) : "No readable fields yet.");
  return { kind: "interface", display: `type ${sample}`, documentation: lines.join("\n") };
}

export function ctxFieldDoc(kindName: string, field: string, f: CtxField): Doc {
  return {
    kind: "property",
    display: `(property) ${kindName}.${field}: ${fieldType(f)}`,
    documentation: `Offset ${f.offset}, size ${f.size} byte${f.size === 1 ? "" : "s"} in the context; read-only.`,
  };
}

export function usdtArgCountDoc(kindName: string): Doc {
  return {
    kind: "property",
    display: `(property) ${kindName}.arg_count: u32`,
    documentation: "How many arguments the site that fired has, from the probe's note (libbpf's bpf_usdt_arg_cnt); ctx.args[i] beyond it reads 0.",
  };
}

export function ctxParamDoc(param: string, kindName: string, def: CtxKindDef | undefined): Doc {
  const kind = def ? ctxKindDoc(kindName, def).documentation : `\`${kindName}\` is not a context type; use one of ${Object.keys(CTX_KINDS).join(", ")}.`;
  return { kind: "parameter", display: `(parameter) ${param}: ${kindName}`, documentation: kind };
}

/** Kernel struct layouts are the build's; say once that the loader moves them. */
const CORE_NOTE = "Offsets are this build's layout; the loader relocates every read to the kernel the object loads into (CO-RE).";

function kernelSize(m: KMember): number {
  return ktypeSize(m.type, (n) => KERNEL_TYPES.composite(n));
}

/** The member's type as shown beside its name: `unsigned int : 1` for a bitfield. */
function kernelMemberType(m: KMember): string {
  return `${ktypeC(m.type)}${m.bitfieldSize ? ` : ${m.bitfieldSize}` : ""}`;
}

/** C declaration of a member: `char comm[16];`, `struct task_struct *real_parent;`, `unsigned int in_execve: 1;`. */
function cDeclaration(m: KMember): string {
  const dims: number[] = [];
  let t = m.type;
  for (; t.k === "array"; t = t.elem) dims.push(t.length);
  // ktypeC spells a pointer `struct task_struct *`: the name follows the star.
  const head = t.k === "ptr" ? `${ktypeC(t)}${m.name}` : `${ktypeC(t)} ${m.name}`;
  return `${head}${dims.map((d) => `[${d}]`).join("")}${m.bitfieldSize ? `: ${m.bitfieldSize}` : ""};`;
}

/** A field of a kernel struct expression (`task.real_parent.tgid`), for hover and completion details. */
export function kernelFieldDoc(at: KernelChainEnd, m: KMember): Doc {
  const size = kernelSize(m);
  const byte = Math.floor(m.bitOffset / 8);
  const where = m.bitfieldSize
    ? `bit offset ${m.bitOffset} (byte ${byte}, bit ${m.bitOffset % 8}), ${m.bitfieldSize} bit${m.bitfieldSize === 1 ? "" : "s"} wide, in a ${size}-byte ${ktypeC(m.type)}`
    : `offset ${byte}, size ${size ? `${size} byte${size === 1 ? "" : "s"}` : "unknown"}`;
  const lines = ["```c", cDeclaration(m), "```", `Field of ${at.label} (${at.comp.size} bytes): ${where}.`];
  if (at.comp !== at.outer) lines.push(`At byte ${at.base + byte} of struct ${at.outer.name}, which its reads are relocated against.`);
  lines.push(CORE_NOTE);
  return { kind: "property", display: `(field) ${at.label}.${m.name}: ${kernelMemberType(m)}`, documentation: lines.join("\n") };
}

/** How many leading fields a KernelStruct local's hover lists (task_struct has over 200). */
const LEADING_FIELDS = 8;

/**
 * A kernel struct's size and leading fields: for a `KernelStruct<"name">` local or parameter
 * (`root`), or for the name inside `KernelStruct<"name">` itself.
 */
export function kernelStructDoc(s: KComposite, root?: { readonly name: string; readonly param: boolean }): Doc {
  const what = `${s.union ? "union" : "struct"} ${s.name}`;
  const rows = s.members.slice(0, LEADING_FIELDS).map((m) => ({ name: m.name, offset: Math.floor(m.bitOffset / 8), size: kernelSize(m), type: kernelMemberType(m) }));
  const more = s.members.length - rows.length;
  const lines = [`Kernel ${what}, ${s.size} bytes, ${s.members.length} fields (anonymous members flattened).${rows.length ? " Leading fields:" : ""}`];
  if (rows.length) lines.push(layoutTable(rows));
  if (more > 0) lines.push(`... and ${more} more${root ? `: type \`${root.name}.\` for all of them` : ""}.`);
  lines.push(CORE_NOTE);
  if (!root) return { kind: "interface", display: `(kernel ${s.union ? "union" : "struct"}) ${s.name}: ${s.size} bytes, ${s.members.length} fields`, documentation: lines.join("\n") };
  const display = `(${root.param ? "parameter" : "local"}) ${root.name}: KernelStruct<"${s.name}">`;
  return { kind: root.param ? "parameter" : "let", display, documentation: lines.join("\n") };
}

interface MethodSig {
  readonly params: (m: MapSlotInfo) => string;
  readonly ret: (m: MapSlotInfo) => string;
  readonly doc: string;
}

/** A map's key / value type as written in signatures: `u32` or `struct flow_key`. */
const K = (m: MapSlotInfo): string => elemTypeName(m, "key");
const V = (m: MapSlotInfo): string => elemTypeName(m, "value");

/** Signatures of map methods as the checker enforces them (`check.ts`, map calls). */
const METHOD_SIGS: Readonly<Record<string, MethodSig>> = {
  lookup: { params: (m) => `key: ${K(m)}`, ret: (m) => (m.valueStruct ? `${V(m)} | null` : `Ptr<${m.value}> | null`), doc: "Pointer to the value, or null when the key is missing; check it before reading `p[0]` (WBPF1007)." },
  update: { params: (m) => `key: ${K(m)}, value: ${V(m)}, flags?: u64`, ret: () => "i64", doc: "Store a value: 0 on success or a negative errno. Flags: BPF_ANY (default), BPF_NOEXIST, BPF_EXIST." },
  delete: { params: (m) => `key: ${K(m)}`, ret: () => "i64", doc: "Remove the entry: 0 on success or a negative errno (-ENOENT when missing)." },
  increment: { params: (m) => `key: ${K(m)}, by?: ${V(m)}`, ret: () => "void", doc: "Add `by` (default 1) to the value atomically; hash kinds insert a missing key." },
};

export function mapMethodDoc(mapName: string, m: MapSlotInfo, method: string): Doc {
  const sig = METHOD_SIGS[method];
  if (!sig) return { kind: "method", display: `(method) ${mapName}.${method}(...)`, documentation: `Map method of ${m.kind} maps.` };
  return { kind: "method", display: `(method) ${mapName}.${method}(${sig.params(m)}): ${sig.ret(m)}`, documentation: sig.doc };
}

export function mapMethods(kind: MapKind): readonly string[] {
  return MAP_METHODS[kind] ?? [];
}

export function mapDoc(name: string, m: MapSlotInfo, declaredAt: string | undefined): Doc {
  const k = mapKeySize(m);
  const v = mapValueSize(m);
  const lines = [
    `BPF_MAP_TYPE_${m.kind.toUpperCase()} (${MAP_TYPE_IDS[m.kind]}): key ${K(m)} (${k} bytes), value ${V(m)} (${v} bytes), max ${m.maxEntries} entries.`,
    `Methods: ${mapMethods(m.kind).join(", ") || "none"}.`,
  ];
  if (declaredAt) lines.push(`Declared at ${declaredAt}.`);
  return { kind: "const", display: `(map) ${name}: ${m.kind} map, ${K(m)} -> ${V(m)}, max ${m.maxEntries} entries`, documentation: lines.join("\n") };
}

export function structDoc(s: StructLayout, declaredAt: string | undefined): Doc {
  const rows = s.fields.map((f) => ({ name: f.name, offset: f.offset, size: f.size, type: describeFieldType(f.type) }));
  const lines = [`C layout${s.packed ? " (packed)" : ""}, ${s.size} bytes, aligned to ${s.align}:`, layoutTable(rows)];
  if (declaredAt) lines.push(`Declared at ${declaredAt}.`);
  return { kind: "interface", display: `(struct) ${s.name}: ${s.size} bytes, ${s.fields.length} field${s.fields.length === 1 ? "" : "s"}`, documentation: lines.join("\n") };
}

/** How the compiler reads a tracepoint record field (`../frontend/tracepoint-ctx.ts`, check.ts). */
function tracepointReadNote(tracepoint: string, f: TracepointField): string {
  const read = tracepointCtxFields(tracepoint)?.[f.name];
  if (!read) return `Not readable from BPF code yet (${f.kind === "array" ? "arrays" : "this kind of field"}).`;
  if (read.dataLoc) return "Reads as u64: the address of the data inside the record (the record's address plus the locator's offset), for probe_read_kernel_str.";
  if (f.kind === "pointer") return "Reads as u64: the address it holds, for probe_read_user_str or probe_read_kernel.";
  return `Reads as ${read.type}.`;
}

/**
 * A field of a tracepoint's record (`ctx.filename` in a `Tracepoint<"syscalls/sys_enter_openat">`
 * program), from its tracefs format: for hover and completion details.
 */
export function tracepointFieldDoc(tracepoint: string, f: TracepointField): Doc {
  const where = `offset ${f.offset}, size ${f.size}${f.kind === "data_loc" ? " (__data_loc: a u32 locator, offset of the data in the record in its low 16 bits and length in its high 16)" : ""}`;
  return { kind: "property", display: `(field) ${tracepoint}.${f.name}: ${f.cType}`, documentation: `${where}\n${tracepointReadNote(tracepoint, f)}` };
}

/**
 * A field of a `defstruct` value (`e.pid` of `const e = ${ring}.reserve(${Event})`, or
 * `e.inner.b` and `e.pts[1].b` through nested structs): for hover and completion details.
 */
export function structFieldDoc(at: StructChainEnd, f: StructFieldLayout): Doc {
  const s = at.layout;
  const lines = [
    "```c", `${cDeclarator(f.type, f.name)};`, "```",
    `Field of struct ${s.name} (${s.size} bytes${s.packed ? ", packed" : ""}): offset ${f.offset}, size ${f.size} byte${f.size === 1 ? "" : "s"}.`,
  ];
  // Nested: the compiler reads it at the summed offset in the local's own struct.
  const expr = `\`${at.path}.${f.name}\``;
  if (at.nested && at.base !== undefined) lines.push(`At byte ${at.base + f.offset} of struct ${at.outer.name} (${expr}).`);
  else if (at.nested) lines.push(`In struct ${at.outer.name} at a byte that depends on the index (${expr}).`);
  return { kind: "property", display: `(field) struct ${s.name}.${f.name}: ${describeFieldType(f.type)}`, documentation: lines.join("\n") };
}

/** What a reserve or lookup result is until checked (the compiler's WBPF1007 says the same). */
const NULLABLE_NOTE: Readonly<Record<NullableSource, (name: string) => string>> = {
  reserve: (n) => `A pointer into the ring buffer from \`reserve\`: null when the ring buffer is full. Check it (\`if (!${n}) return 0;\`) before its fields are read or written and before it is submitted or discarded (WBPF1007 otherwise).`,
  lookup: (n) => `A pointer to the map's value from \`lookup\`: null when the key is not in the map. Check it (\`if (!${n}) return 0;\`) before its fields are read or written (WBPF1007 otherwise).`,
};

/**
 * A struct local itself (`e` of `const e = ${ring}.reserve(${Event})`, `s` of `let s: ${S}`):
 * its struct's size and every field, declared as `whistler gen --lang c` writes them, with
 * offset and size; for a reserve or lookup result, first that it may be null. For hover and
 * the local's completion details.
 */
export function structLocalDoc(name: string, s: StructLayout, from?: NullableSource): Doc {
  const decls = s.fields.map((f) => `${cDeclarator(f.type, f.name)};`);
  const width = Math.max(0, ...decls.map((d) => d.length));
  const body = s.fields.map((f, i) => `  ${decls[i]!.padEnd(width)}  /* offset ${f.offset}, size ${f.size} */`);
  const lines = [
    ...(from ? [NULLABLE_NOTE[from](name), ""] : []),
    `struct ${s.name}: ${s.size} bytes, aligned to ${s.align}${s.packed ? ", packed" : ""}, ${s.fields.length} field${s.fields.length === 1 ? "" : "s"}.`,
    "```c", `struct ${s.name} {`, ...body, "};", "```",
  ];
  return { kind: "let", display: `(local) ${name}: struct ${s.name}`, documentation: lines.join("\n") };
}

export function slotDoc(v: SlotValue, declaredAt: string | undefined): Doc {
  switch (v.kind) {
    case "map": return mapDoc(v.name, v.map, declaredAt);
    case "struct": return structDoc(v, declaredAt);
    case "int": return { kind: "const", display: `(constant) ${v.value}`, documentation: "Compile-time integer constant from the host program: an untyped constant in BPF code." };
    case "unresolved": return { kind: "const", display: "(unresolved interpolation)", documentation: `${v.reason} (WBPF1013 where used).` };
  }
}

export const KEYWORDS: readonly string[] = [
  "const", "let", "if", "else", "return", "export", "function", "true", "false", "null",
  // Control flow the compiler accepts (docs/LANGUAGE.md, "Control flow").
  "for", "while", "switch", "case", "default", "break", "continue",
];
