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
 * Parsing is our own parser (frontend/template-parser.ts), with TypeScript's behind it to
 * explain what ours does not read; everything after it is `compileParsed` (compile-parsed.ts).
 *
 * `disassemble`: an ELF object -> a listing per program section.
 */
import type { CompileResult, TemplateSource } from "./api.js";
import { decode } from "./backend/opcodes.js";
import { disassembleInsns } from "./backend/disasm.js";
import { DiagnosticSink } from "./diagnostics.js";
import { readElf } from "./elf/reader.js";
import { SHF, STT } from "./elf/format.js";
import { parseTemplate } from "./frontend/parse.js";
import { parseAccepted } from "./frontend/template-parser.js";
import { compileParsed } from "./compile-parsed.js";

export { LICENSE, compileParsed } from "./compile-parsed.js";

export function compileTemplate(src: TemplateSource): CompileResult {
  const read = parseAccepted(src.text);
  return read ? compileParsed(src, read) : compileReadByTypeScript(src);
}

/**
 * A template outside what our parser reads: TypeScript's parser says what is wrong, or reads
 * what ours leaves out. For callers that already tried our parser (the run-time compiler).
 */
export function compileReadByTypeScript(src: TemplateSource): CompileResult {
  const sink = new DiagnosticSink(src.start);
  return compileParsed(src, parseTemplate(src.text, sink), sink);
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
