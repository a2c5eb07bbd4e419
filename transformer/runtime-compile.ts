/**
 * Run-time compile fallback: where no transformer ran (tsx, the REPL, TypeScript 7), `load()`
 * imports this module lazily and compiles the template's raw strings with the same compiler.
 * When the host file can be read at the tag's call site, the compile sees the same file name,
 * offsets and map names (the interpolated identifiers) as a build-time compile, so the bytes are
 * the same. Otherwise map names come from each declaration's `name` option, else `map<index>`.
 *
 * A template our own parser reads compiles without TypeScript; only one it does not (a syntax
 * error, say) loads the compiler's TypeScript-based parser, to report what is wrong.
 */
import type { BpfTemplate } from "../runtime/template.js";
import { isScalarType, MapDecl, STACK_TRACE_LAYOUT, type ElemType } from "../runtime/map-decl.js";
import type { ScalarName } from "../runtime/types.js";
import { WhistlerError } from "../runtime/errors.js";
import { isStructClass } from "../runtime/struct/defstruct.js";
import type { CompileResult, Slot, SlotValue, TemplateSource } from "./api.js";
import { compileParsed } from "./compile-parsed.js";
import { parseAccepted } from "./frontend/template-parser.js";
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

/** A template as the compiler takes it, and its maps by object-file name. */
export interface RunTimeSource {
  readonly source: TemplateSource;
  readonly maps: Record<string, MapDecl>;
}

export interface RunTimeCompiled {
  readonly elf: Uint8Array;
  readonly maps: Record<string, MapDecl>;
}

/**
 * Compiles `t`; throws `CompileError` listing every diagnostic. Asynchronous because a template
 * our parser does not read imports the TypeScript-based compiler entry (compile.js) to say why.
 */
export async function compileAtRunTime(t: BpfTemplate): Promise<RunTimeCompiled> {
  const { source, maps } = runTimeSource(t);
  const read = parseAccepted(source.text);
  const result = read ? compileParsed(source, read) : (await typeScriptCompiler(source)).compileReadByTypeScript(source);
  return { elf: elfOrThrow(source, result), maps };
}

/** The compiler entry with TypeScript's parser; what to do when TypeScript is not installed. */
async function typeScriptCompiler(src: TemplateSource): Promise<typeof import("./compile.js")> {
  try {
    return await import("./compile.js");
  } catch (e) {
    const where = src.fileName === "<bpf template>" ? "" : ` in ${src.fileName}`;
    throw new CompileError(`the bpf template${where} has syntax the built-in parser does not read (a syntax error, or a construct templates do not support); the diagnostic that says which comes from TypeScript's parser, which could not be loaded`, {
      cause: e,
      hint: "install the typescript package (5.9 or 6.0) next to whistler-ts to see the diagnostic, or check the template with `whistler build`",
    });
  }
}

/**
 * The same, for callers that already hold the TypeScript-based compiler (the REPL): `compile`
 * is its `compileTemplate`.
 */
export function compileAtRunTimeWith(t: BpfTemplate, compile: (src: TemplateSource) => CompileResult): RunTimeCompiled {
  const { source, maps } = runTimeSource(t);
  return { elf: elfOrThrow(source, compile(source)), maps };
}

/** The template source a build would compile for `t`: host file positions when they can be found. */
export function runTimeSource(t: BpfTemplate): RunTimeSource {
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
  return { source: { fileName, hostText, start: host?.start ?? 0, text, slots }, maps };
}

function elfOrThrow(src: TemplateSource, result: CompileResult): Uint8Array {
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !result.elf) {
    const lines = errors.map((d) => formatDiagnostic(src.fileName, src.hostText, d));
    throw new CompileError(`bpf template failed to compile:\n${lines.join("\n")}`);
  }
  return result.elf;
}
