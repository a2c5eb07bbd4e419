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
import { generate } from "./backend/index.js";
import { MAX_STACK } from "./backend/frame.js";
import { encode, decode } from "./backend/opcodes.js";
import { disassembleInsns } from "./backend/disasm.js";
import { DiagnosticSink, type Span } from "./diagnostics.js";
import type { LineRecord } from "./btf/object.js";
import { SourceLines } from "./source-lines.js";
import { readElf } from "./elf/reader.js";
import { writeBpfObject, type ObjectProgram } from "./elf/object.js";
import { SHF, STT } from "./elf/format.js";
import { checkTemplate } from "./frontend/check.js";
import { lowerProgram } from "./frontend/lower.js";
import { parseTemplate } from "./frontend/parse.js";
import { optimize } from "./passes/pipeline.js";

export const LICENSE = "GPL";

export function compileTemplate(src: TemplateSource): CompileResult {
  const sink = new DiagnosticSink(src.start);
  const parsed = parseTemplate(src.text, sink);
  const checked = checkTemplate(parsed.programs, src.slots, sink);
  const maps = checked.maps.map((m) => m.name);
  if (sink.hasErrors) return { diagnostics: sink.list, programs: [], maps };

  const lines = new SourceLines(src);
  const programs: ObjectProgram[] = [];
  const infos: CompiledProgramInfo[] = [];
  for (const p of checked.programs) {
    const fn = optimize(lowerProgram(p));
    const out = generate(fn);
    if (out.stackSize > MAX_STACK) {
      const decl = parsed.programs.find((d) => d.name === p.name)!;
      sink.error("WBPF3001", decl.nameSpan, `program '${p.name}' needs ${out.stackSize} bytes of stack; the kernel allows ${MAX_STACK}. Use fewer or smaller map keys and values per program`);
      continue;
    }
    programs.push({ name: p.name, section: p.section, code: encode(out.insns), relocs: out.relocs, ctx: p.ctxBtf, lines: lineRecords(out.spans, p.span, lines) });
    infos.push({ name: p.name, section: p.section, insnCount: out.insns.length });
  }
  if (sink.hasErrors) return { diagnostics: sink.list, programs: [], maps };
  const elf = writeBpfObject({ programs, maps: checked.maps.map((m) => ({ name: m.name, info: m.info })), license: LICENSE, fileName: src.fileName });
  // Programs in section order, as the object lists them.
  const order = [...new Set(infos.map((i) => i.section))];
  const sorted = [...infos].sort((a, b) => order.indexOf(a.section) - order.indexOf(b.section));
  return { diagnostics: sink.list, elf, programs: sorted, maps };
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
      if (sym) relocName.set(Math.floor(r.offset / 8), sym.name);
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
