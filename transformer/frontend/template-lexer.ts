/**
 * Lexer for `template-parser.ts`: template text -> tokens, with no dependency on TypeScript.
 *
 * It scans the way TypeScript's scanner does for the tokens templates use, and gives up
 * (throws `GiveUp`) on anything it does not reproduce exactly: non-ASCII outside strings
 * and comments, unicode escapes in names, floats, legacy octal, numeric separators in odd
 * places, string escapes with more than one reading, `${` in template literals, `=>`. The
 * parser turns `GiveUp` into "not accepted", and TypeScript's parser then explains.
 *
 * `>` is scanned greedily (`>>`, `>=`, `>>>=`), which is what TypeScript's parser sees in
 * expressions after `reScanGreaterToken`; in types the parser accepts only a lone `>`.
 */

/** Thrown for any input the fast path does not handle; never escapes `parseAccepted`. */
export class GiveUp extends Error {}

export function giveUp(why: string): never {
  throw new GiveUp(why);
}

export type TokenKind = "ident" | "num" | "bigint" | "str" | "template" | "punct" | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token (for "str"/"template" the cooked value is in `value`). */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** End of the previous token: where this token's leading trivia begins (TS's `pos`). */
  readonly fullStart: number;
  /** A line break in the trivia before this token (TS's `hasPrecedingLineBreak`). */
  readonly newlineBefore: boolean;
  /** "num"/"bigint": the digits without `_` or `n`; "str"/"template": the cooked text. */
  readonly value: string;
}

// Sticky regexes: one native match per token, which matters most before the JIT warms up
// (a build parses each template once). Punctuators longest first, as the scanner takes them.
const TRIVIA = /(?:[ \t\v\f]+|\r\n?|\n|\/\/[^\r\n]*|\/\*[\s\S]*?\*\/)*/y;
const NAME = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const PUNCTUATOR = /\.\.\.|>>>=|[=!]==|\*\*=|<<=|>>=|>>>|&&=|\|\|=|\?\?=|[=!<>+\-*\/%&|^]=|&&|\|\||\?\?|\?\.|\+\+|--|<<|>>|\*\*|[{}()[\];,<>+\-*\/%&|^!~?:=.@#]/y;
/** A string with no escape and no line break: most strings, taken in one match. */
const PLAIN_STRING = /"[^"\\\r\n]*"|'[^'\\\r\n]*'/y;

const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isIdentStart = (c: string): boolean => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_" || c === "$";
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c);
const isHex = (c: string): boolean => isDigit(c) || (c >= "a" && c <= "f") || (c >= "A" && c <= "F");

export function tokenize(text: string): Token[] {
  // U+2028/U+2029 are line breaks to TypeScript but not to every rule here: leave them to it.
  if (/[\u2028\u2029]/.test(text)) giveUp("unicode line separator");
  const tokens: Token[] = [];
  let pos = 0;
  let prevEnd = 0;
  while (true) {
    const newlineBefore = skipTrivia();
    if (pos >= text.length) {
      tokens.push({ kind: "eof", text: "", start: pos, end: pos, fullStart: prevEnd, newlineBefore, value: "" });
      return tokens;
    }
    const start = pos;
    const { kind, value } = scanToken();
    tokens.push({ kind, text: text.slice(start, pos), start, end: pos, fullStart: prevEnd, newlineBefore, value });
    prevEnd = pos;
  }

  /** Skips whitespace and comments; says whether a line break was among them. */
  function skipTrivia(): boolean {
    TRIVIA.lastIndex = pos;
    TRIVIA.exec(text);
    const end = TRIVIA.lastIndex;
    const newline = end > pos && /[\n\r]/.test(text.slice(pos, end));
    pos = end;
    if (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x2f && text.charCodeAt(pos + 1) === 0x2a) giveUp("unterminated comment");
      if (c > 0x7f) giveUp("non-ASCII character outside strings and comments");
    }
    return newline;
  }

  function scanToken(): { kind: TokenKind; value: string } {
    const c = text[pos]!;
    if (isIdentStart(c)) {
      NAME.lastIndex = pos;
      NAME.exec(text);
      pos = NAME.lastIndex;
      if (text[pos] === "\\") giveUp("unicode escape in a name");
      return { kind: "ident", value: "" };
    }
    if (isDigit(c) || (c === "." && isDigit(text[pos + 1] ?? ""))) return scanNumber();
    if (c === "'" || c === '"') {
      PLAIN_STRING.lastIndex = pos;
      if (PLAIN_STRING.exec(text)) {
        const end = PLAIN_STRING.lastIndex;
        const value = text.slice(pos + 1, end - 1);
        pos = end;
        return { kind: "str", value };
      }
      return { kind: "str", value: scanString(c) };
    }
    if (c === "`") return { kind: "template", value: scanTemplate() };
    if (c === "=" && text[pos + 1] === ">") giveUp("arrow function");
    PUNCTUATOR.lastIndex = pos;
    if (PUNCTUATOR.exec(text)) {
      pos = PUNCTUATOR.lastIndex;
      return { kind: "punct", value: "" };
    }
    return giveUp(`unexpected character ${JSON.stringify(c)}`);
  }

  /** Integers only: 123, 0x1f, 0o17, 0b101, with single `_` between digits, optional `n`. */
  function scanNumber(): { kind: TokenKind; value: string } {
    const start = pos;
    let digit = isDigit;
    if (text[pos] === "0" && /[xXoObB]/.test(text[pos + 1] ?? "")) {
      const base = text[pos + 1]!.toLowerCase();
      digit = base === "x" ? isHex : base === "o" ? (d: string) => d >= "0" && d <= "7" : (d: string) => d === "0" || d === "1";
      pos += 2;
    } else if (text[pos] === "0" && isDigit(text[pos + 1] ?? "")) {
      giveUp("legacy octal or leading zero");
    }
    const digitsStart = pos;
    while (pos < text.length) {
      const d = text[pos]!;
      if (digit(d)) { pos++; continue; }
      if (d === "_" && pos > digitsStart && digit(text[pos - 1]!) && digit(text[pos + 1] ?? "")) { pos++; continue; }
      break;
    }
    if (pos === digitsStart) giveUp("number without digits");
    let kind: TokenKind = "num";
    if (text[pos] === "n") { kind = "bigint"; pos++; }
    // `1.5`, `1e3`, `1_`, `0b12`, `3in`: floats, errors or two tokens glued; TypeScript decides.
    // A `.` ends `0x1F` and `1n` (`0x1F.x` is a member access) but makes `1.` a float.
    const next = text[pos] ?? "";
    if ((next === "." && kind === "num" && digit === isDigit) || next === "_" || isIdentPart(next) || next === "\\") giveUp("not a plain integer literal");
    const raw = text.slice(start, pos);
    return { kind, value: raw.replace(/_/g, "").replace(/n$/, "") };
  }

  /** A '...' or "..." literal; returns its value with escapes decoded as TypeScript's `.text`. */
  function scanString(quote: string): string {
    pos++;
    let out = "";
    while (true) {
      if (pos >= text.length) giveUp("unterminated string");
      const c = text[pos]!;
      if (c === quote) { pos++; return out; }
      if (c === "\n" || c === "\r") giveUp("unterminated string");
      if (c === "\\") { out += scanEscape(); continue; }
      out += c;
      pos++;
    }
  }

  /** A template literal without substitutions; its cooked value. */
  function scanTemplate(): string {
    pos++;
    let out = "";
    while (true) {
      if (pos >= text.length) giveUp("unterminated template literal");
      const c = text[pos]!;
      if (c === "`") { pos++; return out; }
      if (c === "$" && text[pos + 1] === "{") giveUp("template literal with substitutions");
      // TypeScript cooks \r\n and \r to \n: not worth reproducing.
      if (c === "\r") giveUp("carriage return in a template literal");
      if (c === "\\") { out += scanEscape(); continue; }
      out += c;
      pos++;
    }
  }

  /** One escape sequence at `pos` (the backslash); its decoded text. */
  function scanEscape(): string {
    const e = text[pos + 1];
    pos += 2;
    switch (e) {
      case undefined: return giveUp("unterminated escape");
      case "n": return "\n";
      case "t": return "\t";
      case "r": return "\r";
      case "b": return "\b";
      case "f": return "\f";
      case "v": return "\v";
      case "0":
        if (isDigit(text[pos] ?? "")) giveUp("octal escape");
        return "\0";
      case "x": {
        const hex = text.slice(pos, pos + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) giveUp("bad \\x escape");
        pos += 2;
        return String.fromCharCode(parseInt(hex, 16));
      }
      case "u": {
        if (text[pos] === "{") {
          const close = text.indexOf("}", pos);
          const hex = close < 0 ? "" : text.slice(pos + 1, close);
          if (!/^[0-9a-fA-F]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) giveUp("bad \\u{} escape");
          pos = close + 1;
          return String.fromCodePoint(parseInt(hex, 16));
        }
        const hex = text.slice(pos, pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) giveUp("bad \\u escape");
        pos += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      case "\n": case "\r": return giveUp("line continuation");
      default:
        if (isDigit(e)) giveUp("octal or \\8 \\9 escape");
        // Any other character stands for itself (in a template that includes \` and \$).
        return e;
    }
  }
}
