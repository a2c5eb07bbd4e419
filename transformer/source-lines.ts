/**
 * Template offsets -> positions in the host file, for BTF line info: the verifier and
 * `bpftool prog dump xlated linum` then show the user's TypeScript line, at the line and
 * column of the host file (not of the template string).
 */
import type { TemplateSource } from "./api.js";

export interface SourcePosition {
  /** 1-based, in the host file. */
  readonly line: number;
  readonly col: number;
  /** The whole host line, without its line break. */
  readonly text: string;
}

/**
 * Line starts of the host file last asked for: the templates of one file are compiled one
 * after another, and each would otherwise scan the whole file again.
 */
let lastText: string | undefined;
let lastStarts: readonly number[] = [0];

function lineStarts(text: string): readonly number[] {
  if (text === lastText) return lastStarts;
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  lastText = text;
  lastStarts = starts;
  return starts;
}

export class SourceLines {
  /** Offset of the first character of each host line. */
  private readonly starts: readonly number[];

  constructor(private readonly src: Pick<TemplateSource, "hostText" | "start">) {
    this.starts = lineStarts(src.hostText);
  }

  /** Position of template offset `offset`. */
  at(offset: number): SourcePosition {
    const host = Math.max(0, Math.min(this.src.hostText.length, this.src.start + offset));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= host) lo = mid;
      else hi = mid - 1;
    }
    const from = this.starts[lo]!;
    const next = this.starts[lo + 1];
    const text = this.src.hostText.slice(from, next === undefined ? undefined : next - 1).replace(/\r$/, "");
    return { line: lo + 1, col: host - from + 1, text };
  }
}
