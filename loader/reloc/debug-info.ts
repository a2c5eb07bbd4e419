/**
 * func_info and line_info for a linked program: the records of each laid-out function, moved
 * to where the function landed. The kernel wants exactly one func_info per function (at its
 * first instruction) and line_info in strictly increasing order with a record at every
 * function's start; when the object does not give that, the kernel gets neither (the program
 * still loads) and the lines are still kept for our own error messages. Pure.
 */
import type { BtfExt, LineInfoRecord } from "../btf/ext.js";
import type { LinkedProgram } from "./link.js";
import { FUNC_INFO_REC_SIZE, LINE_INFO_REC_SIZE, type DebugInfo, type SourceLine } from "./types.js";

export interface LinkedDebugInfo {
  /** What to pass to BPF_PROG_LOAD; undefined when the object's records are incomplete. */
  readonly kernel: DebugInfo | undefined;
  /** Source lines by linked instruction, sorted, for mapping verifier errors. */
  readonly lines: readonly SourceLine[];
}

export function linkDebugInfo(prog: LinkedProgram, ext: BtfExt | undefined): LinkedDebugInfo {
  if (!ext) return { kernel: undefined, lines: [] };
  const funcs: { insn: number; typeId: number }[] = [];
  const lines: { insn: number; rec: LineInfoRecord }[] = [];
  let complete = true;
  for (const { fn, base } of prog.layout) {
    const inRange = (off: number): boolean => off >= fn.start && off < fn.end;
    const f = (ext.funcInfo.get(fn.section.name) ?? []).filter((r) => inRange(r.insnOff));
    if (f.length !== 1 || f[0]!.insnOff !== fn.start) complete = false;
    for (const r of f) funcs.push({ insn: base + (r.insnOff - fn.start) / 8, typeId: r.typeId });
    const l = (ext.lineInfo.get(fn.section.name) ?? []).filter((r) => inRange(r.insnOff) && r.insnOff % 8 === 0);
    if (l[0]?.insnOff !== fn.start) complete = false;
    for (const r of l) lines.push({ insn: base + (r.insnOff - fn.start) / 8, rec: r });
  }
  funcs.sort((a, b) => a.insn - b.insn);
  lines.sort((a, b) => a.insn - b.insn);
  for (let i = 1; i < lines.length; i++) if (lines[i]!.insn <= lines[i - 1]!.insn) complete = false;
  const sourceLines = lines.map(({ insn, rec }) => ({ insn, file: rec.fileName, line: rec.line, col: rec.col, text: rec.lineText }));
  if (!complete || funcs.length === 0) return { kernel: undefined, lines: sourceLines };

  const funcInfo = new Uint8Array(funcs.length * FUNC_INFO_REC_SIZE);
  const fv = new DataView(funcInfo.buffer);
  funcs.forEach((f, i) => {
    fv.setUint32(i * FUNC_INFO_REC_SIZE, f.insn, true);
    fv.setUint32(i * FUNC_INFO_REC_SIZE + 4, f.typeId, true);
  });
  const lineInfo = new Uint8Array(lines.length * LINE_INFO_REC_SIZE);
  const lv = new DataView(lineInfo.buffer);
  lines.forEach(({ insn, rec }, i) => {
    const o = i * LINE_INFO_REC_SIZE;
    lv.setUint32(o, insn, true);
    lv.setUint32(o + 4, rec.fileNameOff, true);
    lv.setUint32(o + 8, rec.lineOff, true);
    lv.setUint32(o + 12, ((rec.line << 10) | (rec.col & 0x3ff)) >>> 0, true);
  });
  return {
    kernel: { funcInfo, lineInfo, funcInfoCount: funcs.length, lineInfoCount: lines.length },
    lines: sourceLines,
  };
}

/** The source line covering linked instruction `insn` (the last record at or before it). */
export function lineFor(lines: readonly SourceLine[], insn: number): SourceLine | undefined {
  let lo = 0;
  let hi = lines.length - 1;
  let found: SourceLine | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const l = lines[mid]!;
    if (l.insn <= insn) {
      found = l;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
