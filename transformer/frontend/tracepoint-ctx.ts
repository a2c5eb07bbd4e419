/**
 * Tracepoint contexts typed from the kernel's tracefs formats (the snapshot in
 * `../kernel/tracepoints`): `ctx.flags`, `ctx.filename` (a user or kernel address, u64, for
 * probe_read_user_str), `ctx.common_pid`, and `__data_loc` strings, whose field reads as the
 * address of the string inside the record (for probe_read_kernel_str).
 */
import type { ScalarName } from "../../runtime/types.js";
import { suggestTracepoints, tracepointFormat, type TracepointField } from "../kernel/tracepoints.js";
import { SNAPSHOT_GROUPS } from "../kernel/tracefs.js";
import type { CtxField, CtxKindDef } from "./ctx.js";

/** A tracepoint record field: a scalar, or a `__data_loc` string (its `u32` locator). */
export type TracepointCtxField = CtxField & { readonly dataLoc?: true; readonly cType: string };

function scalarFor(f: TracepointField): ScalarName | undefined {
  const size = f.size as 1 | 2 | 4 | 8;
  if (f.kind === "pointer") return "u64";
  if (f.kind !== "int" || ![1, 2, 4, 8].includes(size)) return undefined;
  if (f.cType === "bool" || f.cType === "_Bool") return "bool";
  const u = ({ 1: "u8", 2: "u16", 4: "u32", 8: "u64" } as const)[size];
  const i = ({ 1: "i8", 2: "i16", 4: "i32", 8: "i64" } as const)[size];
  return f.signed ? i : u;
}

/** The readable fields of tracepoint "group/name" (arrays are left out for now). */
/** Fields by tracepoint: formats do not change within a process, and every template asks again. */
const ctxFieldsCache = new Map<string, Readonly<Record<string, TracepointCtxField>>>();

export function tracepointCtxFields(name: string): Readonly<Record<string, TracepointCtxField>> | undefined {
  const have = ctxFieldsCache.get(name);
  if (have) return have;
  const fields = readCtxFields(name);
  if (fields) ctxFieldsCache.set(name, fields);
  return fields;
}

function readCtxFields(name: string): Readonly<Record<string, TracepointCtxField>> | undefined {
  const format = tracepointFormat(name);
  if (!format) return undefined;
  const out: Record<string, TracepointCtxField> = {};
  for (const f of format.fields) {
    if (f.kind === "data_loc") {
      out[f.name] = { offset: f.offset, size: 4, type: "u32", dataLoc: true, cType: f.cType };
      continue;
    }
    const t = scalarFor(f);
    if (t) out[f.name] = { offset: f.offset, size: f.size as 1 | 2 | 4 | 8, type: t, cType: f.cType };
  }
  return out;
}

/**
 * Why a tracepoint name is not known, with the nearest known names; undefined when it is
 * known, or when its group is one the snapshot does not record (its fields are then unknown).
 */
export function unknownTracepoint(name: string): string | undefined {
  if (tracepointFormat(name) || !SNAPSHOT_GROUPS.includes(name.split("/")[0] ?? "")) return undefined;
  const near = suggestTracepoints(name);
  return `unknown tracepoint '${name}'${near.length ? `; did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : ""} (\`whistler tracepoint list <filter>\` lists the known ones; the snapshot holds the groups \`whistler tracepoint --update\` records)`;
}

/** The context kind with the record fields of its tracepoint (other kinds unchanged). */
export function withTracepointFields(kind: CtxKindDef, args: readonly string[]): CtxKindDef {
  if (kind.progType !== "tracepoint" || !args[0]) return kind;
  const fields = tracepointCtxFields(args[0]);
  return fields ? { ...kind, fields } : kind;
}
