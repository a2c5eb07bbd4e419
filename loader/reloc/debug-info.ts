/**
 * func_info and line_info for a linked program: the records of each laid-out function, moved
 * to where the function landed. The kernel wants exactly one func_info per function (at its
 * first instruction) and line_info in strictly increasing order with a record at every
 * function's start; when the object does not give that, the kernel gets neither (the program
 * still loads) and the lines are still kept for our own error messages. Pure.
 */
import type { BtfExt, LineInfoRecord } from "../btf/ext.js";
import { HEAP_BYTES, type ByteArena } from "../elf/arena.js";
import type { LinkedProgram } from "./link.js";
import { FUNC_INFO_REC_SIZE, LINE_INFO_REC_SIZE, type DebugInfo, type SourceLine } from "./types.js";

export interface LinkedDebugInfo {
  /** What to pass to BPF_PROG_LOAD; undefined when the object's records are incomplete. */
  readonly kernel: DebugInfo | undefined;
  /** Source lines by linked instruction, sorted, for mapping verifier errors. */
  readonly lines: readonly SourceLine[];
}

const NO_DEBUG_INFO: LinkedDebugInfo = Object.freeze({ kernel: undefined, lines: Object.freeze([]) });

/** `bytes`: where the kernel's records are written (a parse's arena; by default buffers of their own). */
export function linkDebugInfo(prog: LinkedProgram, ext: BtfExt | undefined, bytes: Pick<ByteArena, "alloc"> = HEAP_BYTES): LinkedDebugInfo {
  if (!ext) return NO_DEBUG_INFO;
  // Functions sit in layout order at increasing bases and each section's records are sorted,
  // so records collected function by function are already in instruction order.
  const funcInsns: number[] = [];
  const funcTypes: number[] = [];
  const lines: SourceLine[] = [];
  const lineRecs: LineInfoRecord[] = [];
  let complete = true;
  for (const { fn, base } of prog.layout) {
    let funcs = 0;
    let firstFunc = -1;
    for (const r of ext.funcInfo.get(fn.section.name) ?? NONE) {
      if (r.insnOff < fn.start || r.insnOff >= fn.end) continue;
      if (funcs++ === 0) firstFunc = r.insnOff;
      funcInsns.push(base + (r.insnOff - fn.start) / 8);
      funcTypes.push(r.typeId);
    }
    if (funcs !== 1 || firstFunc !== fn.start) complete = false;
    let firstLine = -1;
    for (const r of ext.lineInfo.get(fn.section.name) ?? NONE) {
      if (r.insnOff < fn.start || r.insnOff >= fn.end || r.insnOff % 8 !== 0) continue;
      if (firstLine < 0) firstLine = r.insnOff;
      lines.push({ insn: base + (r.insnOff - fn.start) / 8, file: r.fileName, line: r.line, col: r.col, text: r.lineText });
      lineRecs.push(r);
    }
    if (firstLine !== fn.start) complete = false;
  }
  for (let i = 1; i < lines.length; i++) if (lines[i]!.insn <= lines[i - 1]!.insn) complete = false;
  if (!complete || funcInsns.length === 0) return { kernel: undefined, lines };

  const funcInfo = bytes.alloc(funcInsns.length * FUNC_INFO_REC_SIZE);
  const fv = new DataView(funcInfo.buffer, funcInfo.byteOffset, funcInfo.byteLength);
  for (let i = 0; i < funcInsns.length; i++) {
    fv.setUint32(i * FUNC_INFO_REC_SIZE, funcInsns[i]!, true);
    fv.setUint32(i * FUNC_INFO_REC_SIZE + 4, funcTypes[i]!, true);
  }
  const lineInfo = bytes.alloc(lines.length * LINE_INFO_REC_SIZE);
  const lv = new DataView(lineInfo.buffer, lineInfo.byteOffset, lineInfo.byteLength);
  for (let i = 0; i < lines.length; i++) {
    const rec = lineRecs[i]!;
    const o = i * LINE_INFO_REC_SIZE;
    lv.setUint32(o, lines[i]!.insn, true);
    lv.setUint32(o + 4, rec.fileNameOff, true);
    lv.setUint32(o + 8, rec.lineOff, true);
    lv.setUint32(o + 12, ((rec.line << 10) | (rec.col & 0x3ff)) >>> 0, true);
  }
  return {
    kernel: { funcInfo, lineInfo, funcInfoCount: funcInsns.length, lineInfoCount: lines.length },
    lines,
  };
}

const NONE: readonly never[] = [];

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
