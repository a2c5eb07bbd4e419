/**
 * The compiler's entry points.
 *
 * `compileTemplate`: template -> diagnostics and, when there are no errors, an ELF object.
 * Pure (no I/O) and total on user input: bad templates end in diagnostics, never throws
 * for them (an exception here is a compiler bug). Phases:
 *
 *   frontend/parse -> frontend/check -> frontend/lower -> passes/pipeline
 *     -> backend (isel, regalloc, emit) -> elf/object (+ btf/object)
 *
 * `disassemble`: an ELF object -> a listing per program section.
 */
import type { CompileResult, CompiledProgramInfo, TemplateSource } from "./api.js";
import { generate, type Emitted } from "./backend/index.js";
import { RegallocError } from "./backend/regalloc.js";
import { MAX_STACK } from "./backend/frame.js";
import { encode, decode } from "./backend/opcodes.js";
import { disassembleInsns } from "./backend/disasm.js";
import { DiagnosticSink, type Span } from "./diagnostics.js";
import type { LineRecord } from "./btf/object.js";
import { SourceLines } from "./source-lines.js";
import { readElf } from "./elf/reader.js";
import { writeBpfObject, type ObjectFunction, type ObjectProgram } from "./elf/object.js";
import { layoutGlobals } from "./elf/data.js";
import { SHF, STT } from "./elf/format.js";
import { checkTemplate } from "./frontend/check.js";
import { lowerFunction, lowerProgram } from "./frontend/lower.js";
import { planCalls, reachableOutOfLine } from "./frontend/inline.js";
import type { ScalarName } from "../runtime/types.js";
import { parseTemplate } from "./frontend/parse.js";
import { optimize } from "./passes/pipeline.js";
import type { Fn } from "./ir/ir.js";
import { describeStackUsers } from "./stack-report.js";

export const LICENSE = "GPL";

export function compileTemplate(src: TemplateSource): CompileResult {
  const sink = new DiagnosticSink(src.start);
  const parsed = parseTemplate(src.text, sink);
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

export interface DisassembleOptions {
  /** Show raw instruction bytes. */
  readonly bytes?: boolean;
}

/**
 * Text listing of every executable section of a BPF ELF object: a header per program
 * (symbol and section), then `index: instruction` lines. Throws `ElfFormatError` for
 * input that is not a BPF ELF object.
 */
export function disassemble(elf: Uint8Array, opts: DisassembleOptions = {}): string {
  const file = readElf(elf);
  const out: string[] = [];
  for (const s of file.sections) {
    if ((s.flags & SHF.EXECINSTR) === 0 || s.data.length === 0) continue;
    const insns = decode(s.data);
    const relocName = new Map<number, string>();
    for (const r of file.relocs.get(s.index) ?? []) {
      const sym = file.symbols[r.symbol];
      if (!sym) continue;
      // A section symbol of code: a function's address, at the offset in the ld_imm64's imm.
      const code = sym.type === STT.SECTION ? file.sections.find((x) => x.index === sym.section && (x.flags & SHF.EXECINSTR) !== 0) : undefined;
      const at = code ? new DataView(s.data.buffer, s.data.byteOffset).getInt32(r.offset + 4, true) : 0;
      const fn = code && file.symbols.find((y) => y.section === code.index && y.type === STT.FUNC && y.value === at);
      // An undefined symbol on a call: a kernel function (kfunc).
      relocName.set(Math.floor(r.offset / 8), fn ? `func:${fn.name}` : sym.section === 0 ? `kfunc:${sym.name}` : sym.name);
    }
    const funcs = file.symbols.filter((y) => y.section === s.index && y.type === STT.FUNC).sort((a, b) => a.value - b.value);
    const starts = funcs.length ? funcs : [{ name: s.name, value: 0, size: s.data.length }];
    starts.forEach((f, n) => {
      const from = f.value / 8;
      const to = n + 1 < starts.length ? starts[n + 1]!.value / 8 : insns.length;
      const slice = insns.slice(from, to);
      out.push(`${f.name} (section ${s.name}, ${slice.length} insns):`);
      out.push(...disassembleInsns(slice, { ...(opts.bytes ? { bytes: true } : {}), relocName: (i) => relocName.get(from + i) }));
      out.push("");
    });
  }
  return out.join("\n");
}
