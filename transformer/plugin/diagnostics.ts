/**
 * One source of diagnostics for every front door: tsc (through ts-patch), tsserver, and
 * the CLI's `file:line:col - error WBPFnnnn: message` lines.
 */
import type * as TS from "typescript";
import { numericCode, type Diagnostic } from "../api.js";

export function toTsDiagnostic(ts: typeof TS, sf: TS.SourceFile, d: Diagnostic, program?: TS.Program): TS.Diagnostic {
  const related = (d.related ?? []).map((r): TS.DiagnosticRelatedInformation => ({
    category: ts.DiagnosticCategory.Message,
    code: numericCode(d.code),
    file: program?.getSourceFile(r.fileName) ?? (r.fileName === sf.fileName ? sf : undefined),
    start: r.start,
    length: r.length,
    messageText: r.message,
  }));
  return {
    category: d.severity === "error" ? ts.DiagnosticCategory.Error : ts.DiagnosticCategory.Warning,
    code: numericCode(d.code),
    file: sf,
    start: d.start,
    length: d.length,
    messageText: `${d.code}: ${d.message}`,
    relatedInformation: related.length ? related : undefined,
  };
}

/** 1-based line and column of an offset. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

/** `file:line:col - error WBPF2001: message`, the CLI's format (like tsc's). */
export function formatDiagnostic(fileName: string, hostText: string, d: Diagnostic): string {
  const { line, col } = lineCol(hostText, d.start);
  return `${fileName}:${line}:${col} - ${d.severity} ${d.code}: ${d.message}`;
}
