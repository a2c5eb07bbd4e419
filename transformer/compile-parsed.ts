/**
 * The compiler after parsing: a template's syntax tree (frontend/ast.ts, plain data) and its
 * resolved interpolations -> diagnostics and, when there are no errors, an ELF object.
 *
 *   frontend/check -> frontend/lower -> passes/pipeline -> backend (isel, regalloc, emit)
 *     -> elf/object (+ btf/object)
 *
 * Nothing here needs TypeScript, so this stage also runs in the plugin's compile workers
 * (plugin/compile-pool.ts), which receive syntax trees parsed on tsc's thread.
 */
import type { CompileResult, CompiledProgramInfo, TemplateSource } from "./api.js";
import { generate, type Emitted } from "./backend/index.js";
import { RegallocError } from "./backend/regalloc.js";
import { MAX_STACK } from "./backend/frame.js";
import { encode } from "./backend/opcodes.js";
import { DiagnosticSink, type Span } from "./diagnostics.js";
import type { LineRecord } from "./btf/object.js";
import { SourceLines } from "./source-lines.js";
import { writeBpfObject, type ObjectFunction, type ObjectProgram } from "./elf/object.js";
import { layoutGlobals } from "./elf/data.js";
import { checkTemplate } from "./frontend/check.js";
import { lowerFunction, lowerProgram } from "./frontend/lower.js";
import { planCalls, reachableOutOfLine } from "./frontend/inline.js";
import type { ParseResult } from "./frontend/parse.js";
import type { ScalarName } from "../runtime/types.js";
import { optimize } from "./passes/pipeline.js";
import type { Fn } from "./ir/ir.js";
import { describeStackUsers } from "./stack-report.js";

export const LICENSE = "GPL";

/**
 * Compiles a parsed template: check, lower, optimize, generate code, write the object.
 * `sink` holds what parsing reported (a fresh one when it reported nothing).
 */
export function compileParsed(src: TemplateSource, parsed: ParseResult, sink: DiagnosticSink = new DiagnosticSink(src.start)): CompileResult {
  const checked = checkTemplate(parsed, src.slots, sink);
  const maps = checked.maps.map((m) => m.name);
  if (sink.hasErrors) return { diagnostics: sink.list, programs: [], maps };

  const lines = new SourceLines(src);
  const plan = planCalls(checked);
  const env = { template: checked, plan };
  const fnName = (i: number) => checked.functions.find((f) => f.index === i)!.name;
  // Calls of template functions and of kernel functions both relocate against a symbol name.
  const calls = (out: Emitted) => [...out.calls.map((c) => ({ insn: c.insn, func: fnName(c.func) })), ...out.kfuncs.map((c) => ({ insn: c.insn, func: checked.kfuncs[c.kfunc]!.name }))];
  const ptrOr = <T extends string>(t: T | "kptr"): T | "ptr" => (t === "kptr" ? "ptr" : t);
  const kfuncs = checked.kfuncs.map((k) => ({ name: k.name, params: k.params.map((p) => ({ name: p.name, type: ptrOr(p.type) })), ret: ptrOr(k.ret) }));
  const data = layoutGlobals(checked.globals);
  const globalRelocs = (out: Emitted) => out.globals.map((g) => ({ insn: g.insn, global: checked.globals[g.global]!.name }));

  // Subprograms: every out-of-line function some program reaches, compiled once.
  const functions: ObjectFunction[] = [];
  const frames = new Map<number, { stack: number; callees: number[] }>();
  for (const index of reachableOutOfLine(checked.programs.map((p) => p.body), checked, plan)) {
    const f = checked.functions.find((x) => x.index === index)!;
    const out = generateOrReport(optimize(lowerFunction(f, env)), f.span, sink);
    if (!out) continue;
    frames.set(index, { stack: out.stackSize, callees: out.calls.map((c) => c.func) });
    // Kernel struct addresses are u64s to BTF (probe reads take any address).
    const params = f.params.map((l) => ({ name: l.name, type: l.type.k === "sptr" ? "ptr" as const : l.type.k === "kptr" ? "u64" as const : (l.type as { name: ScalarName }).name }));
    functions.push({ name: f.name, code: encode(out.insns), relocs: out.relocs, calls: calls(out), globalRelocs: globalRelocs(out), cores: out.cores, lines: lineRecords(out.spans, f.span, lines), params, ret: f.ret });
  }

  // A subprogram that did not compile leaves its callers' stack depth unknown.
  if (sink.hasErrors) return { diagnostics: sink.list, programs: [], maps };

  const programs: ObjectProgram[] = [];
  const infos: CompiledProgramInfo[] = [];
  for (const p of checked.programs) {
    const ir = optimize(lowerProgram(p, env));
    const decl = parsed.programs.find((d) => d.name === p.name)!;
    const out = generateOrReport(ir, decl.nameSpan, sink);
    if (!out) continue;
    const stack = stackDepth(p.name, out, frames, fnName);
    if (stack.bytes > MAX_STACK) {
      const via = stack.chain.length > 1 ? ` through calls ${stack.chain.join(" -> ")} (each frame rounded up to 32 bytes)` : "";
      const users = stack.chain.length > 1 ? "" : describeStackUsers(ir, src.hostText, src.start, stack.bytes);
      sink.error("WBPF3001", decl.nameSpan, `program '${p.name}' needs ${stack.bytes} bytes of stack${via}; the kernel allows ${MAX_STACK}${users}. Use fewer or smaller map keys and values per program`);
      continue;
    }
    programs.push({ name: p.name, section: p.section, code: encode(out.insns), relocs: out.relocs, calls: calls(out), globalRelocs: globalRelocs(out), cores: out.cores, ctx: p.ctxBtf, lines: lineRecords(out.spans, p.span, lines) });
    infos.push({ name: p.name, section: p.section, insnCount: out.insns.length });
  }
  if (sink.hasErrors) return { diagnostics: sink.list, programs: [], maps };
  const elf = writeBpfObject({ programs, functions, data, maps: checked.maps.map((m) => ({ name: m.name, info: m.info })), license: LICENSE, fileName: src.fileName, kfuncs });
  // Programs in section order, as the object lists them.
  const order = [...new Set(infos.map((i) => i.section))];
  const sorted = [...infos].sort((a, b) => order.indexOf(a.section) - order.indexOf(b.section));
  // Strings (printk formats) are the compiler's own constants, not variables to set.
  const globals = data.globals.filter((g) => !g.bytes).map((g) => ({ name: g.name, section: g.section, offset: g.offset, size: g.size, type: g.type, init: g.init }));
  return { diagnostics: sink.list, elf, programs: sorted, maps, globals };
}

/**
 * Machine code for one function, or WBPF3003 at the instruction whose values did not fit in
 * registers even after spilling (at `fallback`, the declaration, when it has no source).
 */
function generateOrReport(ir: Fn, fallback: Span, sink: DiagnosticSink): Emitted | undefined {
  try {
    return generate(ir);
  } catch (e) {
    if (!(e instanceof RegallocError)) throw e;
    const at = e.span && e.span.end > e.span.start ? e.span : fallback;
    sink.error("WBPF3003", at, `${e.message}. Use each value soon after computing it, or keep a group of them in a map value or a stack struct`);
    return undefined;
  }
}

/**
 * Stack a program needs: its own frame, or with BPF-to-BPF calls the deepest chain of
 * frames, each rounded up to 32 bytes as the kernel counts them (check_max_stack_depth).
 */
function stackDepth(name: string, out: Emitted, frames: ReadonlyMap<number, { stack: number; callees: number[] }>, fnName: (i: number) => string): { bytes: number; chain: string[] } {
  if (out.calls.length === 0) return { bytes: out.stackSize, chain: [name] };
  const round = (n: number) => Math.ceil(Math.max(n, 1) / 32) * 32;
  const deepest = (callees: readonly number[]): { bytes: number; chain: string[] } => {
    let best = { bytes: 0, chain: [] as string[] };
    for (const c of new Set(callees)) {
      const fr = frames.get(c)!;
      const below = deepest(fr.callees);
      const bytes = round(fr.stack) + below.bytes;
      if (bytes > best.bytes) best = { bytes, chain: [fnName(c), ...below.chain] };
    }
    return best;
  };
  const below = deepest(out.calls.map((c) => c.func));
  return { bytes: round(out.stackSize) + below.bytes, chain: [name, ...below.chain] };
}

/**
 * Line info for one function: a record wherever the source position changes, like clang.
 * The first instruction always gets one (the kernel requires it), falling back to the
 * function's declaration when lowering made the instruction up.
 */
function lineRecords(spans: readonly (Span | undefined)[], decl: Span, lines: SourceLines): LineRecord[] {
  const out: LineRecord[] = [];
  let last = -1;
  spans.forEach((span, insn) => {
    const s = span ?? (insn === 0 ? decl : undefined);
    if (!s || s.start === last) return;
    last = s.start;
    const pos = lines.at(s.start);
    const prev = out[out.length - 1];
    if (prev && prev.line === pos.line && prev.col === pos.col) return;
    out.push({ insn, line: pos.line, col: pos.col, text: pos.text });
  });
  return out;
}
