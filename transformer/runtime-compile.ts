/**
 * Run-time compile fallback: where no transformer ran (tsx, the REPL, TypeScript 7), `load()`
 * imports this module lazily and compiles the template's raw strings with the same compiler.
 * When the host file can be read at the tag's call site, the compile sees the same file name,
 * offsets and map names (the interpolated identifiers) as a build-time compile, so the bytes are
 * the same. Otherwise map names come from each declaration's `name` option, else `map<index>`.
 */
import type { BpfTemplate } from "../runtime/template.js";
import { isScalarType, MapDecl, STACK_TRACE_LAYOUT, type ElemType } from "../runtime/map-decl.js";
import type { ScalarName } from "../runtime/types.js";
import { WhistlerError } from "../runtime/errors.js";
import { isStructClass } from "../runtime/struct/defstruct.js";
import type { Slot, SlotValue } from "./api.js";
import { compileTemplate } from "./compile.js";
import { placeholderFor } from "./plugin/templates.js";
import { formatDiagnostic } from "./plugin/diagnostics.js";
import { findHostTemplate, nameFromExpression } from "./host-source.js";

/** The template failed to compile; `message` lists every diagnostic. */
export class CompileError extends WhistlerError {}

function slotValue(v: unknown, index: number, expr: string | undefined): SlotValue {
  if (v instanceof MapDecl) {
    // Zero-size element types (no key: queue, stack, bloom filter; no value: ring buffer)
    // name u32 as the build-time resolution does; other codecs are not template types yet.
    // defstruct classes are struct keys/values ("u8" stands in for the scalar, as at build time).
    const scalar = (t: ElemType): ScalarName | undefined => (isScalarType(t) ? t.name : isStructClass(t) ? "u8" : t.size === 0 ? "u32" : undefined);
    // An IPv4 LPM trie's key is one u64 in templates, as at build time (templates.ts).
    const lpm4 = v.kind === "lpm_trie" && v.key.size === 8;
    const key = lpm4 ? "u64" : scalar(v.key);
    const value = v.kind === "stack_trace" ? "u8" : scalar(v.value);
    if (!key || !value) {
      return { kind: "unresolved", reason: `map ${v.name ?? nameFromExpression(expr) ?? `map${index}`}: only scalar keys and values (u32, u64, ...) and defstruct classes can be used in bpf templates` };
    }
    return {
      kind: "map",
      name: v.name ?? nameFromExpression(expr) ?? `map${index}`,
      map: {
        kind: v.kind, key, value, maxEntries: v.maxEntries,
        ...(isStructClass(v.key) ? { keyStruct: v.key.layout } : {}),
        ...(isStructClass(v.value) ? { valueStruct: v.value.layout } : {}),
        ...(v.kind === "stack_trace" ? { valueStruct: STACK_TRACE_LAYOUT } : {}),
        ...(lpm4 ? { flags: 1 /* BPF_F_NO_PREALLOC, as at build time */ } : {}),
        ...(v.mapExtra ? { mapExtra: Number(v.mapExtra) } : {}),
      },
    };
  }
  if (isStructClass(v)) return v.layout;
  if (typeof v === "bigint") return { kind: "int", value: v };
  if (typeof v === "number" && Number.isInteger(v)) return { kind: "int", value: BigInt(v) };
  return { kind: "unresolved", reason: `interpolated value ${String(v)} is neither a map declaration nor an integer` };
}

export function compileAtRunTime(t: BpfTemplate): {
  elf: Uint8Array;
  maps: Record<string, MapDecl>;
} {
  const host = findHostTemplate(t.callSite, t.strings);
  let text = t.strings[0] ?? "";
  const slots: Slot[] = [];
  const maps: Record<string, MapDecl> = {};
  t.values.forEach((v, i) => {
    const expr = host?.expressions[i];
    // The same-length placeholder as the build-time compile, when the host text is known.
    const length = expr === undefined ? Math.max(4, `$${i}`.length) : expr.length + 3;
    const placeholder = placeholderFor(i, length) ?? placeholderFor(i, `$${i}`.length);
    if (!placeholder) throw new Error("internal: placeholder");
    const value = slotValue(v, i, expr);
    slots.push({ placeholder, start: text.length, length: placeholder.length, value });
    if (value.kind === "map" && v instanceof MapDecl) maps[value.name] = v;
    text += placeholder + (t.strings[i + 1] ?? "");
  });
  const fileName = host?.fileName ?? "<bpf template>";
  const hostText = host?.hostText ?? text;
  const result = compileTemplate({ fileName, hostText, start: host?.start ?? 0, text, slots });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !result.elf) {
    const lines = errors.map((d) => formatDiagnostic(fileName, hostText, d));
    throw new CompileError(`bpf template failed to compile:\n${lines.join("\n")}`);
  }
  return { elf: result.elf, maps };
}
