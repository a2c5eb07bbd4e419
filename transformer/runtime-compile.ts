/**
 * Run-time compile fallback: where no transformer ran (tsx, the REPL, TypeScript 7), `load()`
 * imports this module lazily and compiles the template's raw strings with the same compiler.
 * Map names come from each declaration's `name` option, else `map<index>`.
 */
import type { BpfTemplate } from "../runtime/template.js";
import { MapDecl } from "../runtime/map-decl.js";
import { WhistlerError } from "../runtime/errors.js";
import { isStructClass } from "../runtime/struct/defstruct.js";
import type { Slot, SlotValue } from "./api.js";
import { compileTemplate } from "./compile.js";
import { placeholderFor } from "./plugin/templates.js";
import { formatDiagnostic } from "./plugin/diagnostics.js";

/** The template failed to compile; `message` lists every diagnostic. */
export class CompileError extends WhistlerError {}

function slotValue(v: unknown, index: number): SlotValue {
  if (v instanceof MapDecl) {
    return {
      kind: "map",
      name: v.name ?? `map${index}`,
      map: { kind: v.kind, key: v.key.name, value: v.value.name, maxEntries: v.maxEntries },
    };
  }
  if (isStructClass(v)) return v.layout;
  if (typeof v === "bigint") return { kind: "int", value: v };
  if (typeof v === "number" && Number.isInteger(v)) return { kind: "int", value: BigInt(v) };
  return { kind: "unresolved", reason: `interpolated value ${String(v)} is neither a map declaration nor an integer` };
}

export function compileAtRunTime(t: BpfTemplate, fileName = "<bpf template>"): {
  elf: Uint8Array;
  maps: Record<string, MapDecl>;
} {
  let text = t.strings[0] ?? "";
  const slots: Slot[] = [];
  const maps: Record<string, MapDecl> = {};
  t.values.forEach((v, i) => {
    const placeholder = placeholderFor(i, Math.max(4, `$${i}`.length));
    if (!placeholder) throw new Error("internal: placeholder");
    const value = slotValue(v, i);
    slots.push({ placeholder, start: text.length, length: placeholder.length, value });
    if (value.kind === "map" && v instanceof MapDecl) maps[value.name] = v;
    text += placeholder + (t.strings[i + 1] ?? "");
  });
  const result = compileTemplate({ fileName, hostText: text, start: 0, text, slots });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !result.elf) {
    const lines = errors.map((d) => formatDiagnostic(fileName, text, d));
    throw new CompileError(`bpf template failed to compile:\n${lines.join("\n")}`);
  }
  return { elf: result.elf, maps };
}
