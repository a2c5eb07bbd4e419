/**
 * The token cursor of `template-parser.ts`: looking at, taking and expecting tokens, and
 * TypeScript's rule for where a `;` may be left out. Every mismatch gives up (`GiveUp`).
 */
import type { Span } from "../diagnostics.js";
import { giveUp, type Token } from "./template-lexer.js";

/** Reserved words, strict-mode words and words that change how TypeScript parses what follows. */
export const NOT_A_NAME = new Set([
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
  "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
  "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with",
  "implements", "interface", "let", "package", "private", "protected", "public", "static", "yield",
  "await", "async", "as", "satisfies", "using", "accessor", "declare", "abstract", "type", "namespace", "module", "global",
]);

export class TokenCursor {
  protected i = 0;

  constructor(protected readonly toks: readonly Token[]) {}

  protected peek(offset = 0): Token {
    return this.toks[Math.min(this.i + offset, this.toks.length - 1)]!;
  }

  protected is(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return (t.kind === "punct" || t.kind === "ident") && t.text === text;
  }

  protected next(): Token {
    const t = this.peek();
    if (t.kind === "eof") giveUp("unexpected end");
    this.i++;
    return t;
  }

  protected expect(text: string): Token {
    if (!this.is(text)) giveUp(`expected ${text}`);
    return this.next();
  }

  /** End of the last token taken: TypeScript's node end. */
  protected get lastEnd(): number {
    return this.toks[this.i - 1]!.end;
  }

  /** TypeScript's parseSemicolon: `;`, or nothing before `}`, the end, or a line break. */
  protected semicolon(): void {
    if (this.is(";")) { this.next(); return; }
    const t = this.peek();
    if (t.kind === "eof" || this.is("}") || t.newlineBefore) return;
    giveUp("expected ;");
  }

  protected canParseSemicolon(): boolean {
    const t = this.peek();
    return this.is(";") || this.is("}") || t.kind === "eof" || t.newlineBefore;
  }

  /** A name that declares something (variable, parameter, function). */
  protected bindingName(): { name: string; span: Span } {
    const t = this.next();
    if (t.kind !== "ident" || NOT_A_NAME.has(t.text)) giveUp("expected a name");
    return { name: t.text, span: { start: t.start, end: t.end } };
  }
}
