/** A verifier log plus the program's source lines -> what failed, where in the source, and a hint. */
import { lineFor, type SourceLine } from "../reloc/index.js";
import { verifierHint } from "./hints.js";
import { parseVerifierLog } from "./parse.js";

export interface VerifierExplanation {
  readonly message: string;
  readonly insn: number | undefined;
  readonly source: { readonly file: string; readonly line: number; readonly col: number; readonly text: string } | undefined;
  readonly state: readonly string[];
  readonly hint: string | undefined;
}

export function explainVerifierLog(log: string, lines: readonly SourceLine[]): VerifierExplanation {
  const parsed = parseVerifierLog(log);
  let source: VerifierExplanation["source"];
  if (parsed.insn !== undefined) {
    const l = lineFor(lines, parsed.insn);
    if (l && l.line > 0) source = { file: l.file, line: l.line, col: l.col, text: l.text };
  }
  if (!source) {
    // Without our own line table, the kernel's "; text @ file:line" comment before the failing instruction still helps.
    const m = /^; (.*) @ (\S+):(\d+)$/m.exec(lastComment(log, parsed.insn) ?? "");
    if (m) source = { file: m[2]!, line: Number(m[3]), col: 0, text: m[1]! };
  }
  return { message: parsed.message, insn: parsed.insn, source, state: parsed.state, hint: verifierHint(parsed.message) };
}

/** The last "; ... @ file:line" comment at or before the failing instruction's line. */
function lastComment(log: string, insn: number | undefined): string | undefined {
  const lines = log.split("\n");
  let found: string | undefined;
  for (const l of lines) {
    if (/^; .* @ \S+:\d+$/.test(l)) found = l;
    const m = /^(\d+): \(/.exec(l);
    if (m && insn !== undefined && Number(m[1]) === insn) break;
  }
  return found;
}
