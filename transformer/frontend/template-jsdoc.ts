/**
 * JSDoc tag names before a helper (`/** @inline *\/`, `/** @noinline *\/`), read the way
 * TypeScript attaches and parses them, for `template-parser.ts`.
 *
 * TypeScript gives a declaration the `/**` comments of its leading trivia that come after
 * the first line break in it (or all of them at the start of the file), and its JSDoc
 * parser finds a tag at `@` after whitespace or at the start of a line. We read only the
 * plain form (each `@name` first on its line, no other `@`, no `{` or backquote, no tag
 * TypeScript parses specially) and give up on anything else.
 */
import { giveUp } from "./template-lexer.js";

/**
 * Tags TypeScript's JSDoc parser reads arguments for: their text could hide more tags. Not
 * here: `@param`, `@returns` and `@deprecated`, whose arguments are plain text once `{` and
 * `[` (types, optional names) are excluded.
 */
const SPECIAL_TAGS = new Set([
  "author", "implements", "augments", "extends", "class", "constructor", "public", "private", "protected", "readonly",
  "override", "this", "enum", "template", "type", "typedef", "callback", "overload", "satisfies", "see", "exception",
  "throws", "import", "link", "property", "prop",
]);

/** Tag names of the JSDoc comments in `text[pos, end)`, the trivia before a declaration. */
export function jsDocTagNames(text: string, pos: number, end: number): string[] {
  const tags: string[] = [];
  // TypeScript's getLeadingCommentRanges: comments before the first line break belong to
  // the previous line, except at the start of the file.
  let collecting = pos === 0;
  let p = pos;
  while (p < end) {
    const c = text[p]!;
    if (c === "\n" || c === "\r") { collecting = true; p++; continue; }
    if (c === " " || c === "\t" || c === "\v" || c === "\f") { p++; continue; }
    if (c === "/" && text[p + 1] === "/") {
      while (p < end && text[p] !== "\n" && text[p] !== "\r") p++;
      continue;
    }
    if (c === "/" && text[p + 1] === "*") {
      const close = text.indexOf("*/", p + 2);
      if (close < 0 || close + 2 > end) giveUp("comment runs past the declaration");
      const isJsDoc = text[p + 2] === "*" && text[p + 3] !== "/";
      if (collecting && isJsDoc) tags.push(...tagsOf(text.slice(p + 3, close)));
      p = close + 2;
      continue;
    }
    giveUp("unexpected trivia");
  }
  return tags;
}

/** The tags of one JSDoc comment's body (between `/**` and `*\/`). */
function tagsOf(body: string): string[] {
  if (!body.includes("@")) return [];
  if (body.includes("{") || body.includes("`") || body.includes("[")) giveUp("JSDoc with types, links, code or optional names");
  const tags: string[] = [];
  body.split(/\r\n|\r|\n/).forEach((rawLine, i) => {
    // A line's leading `*` is margin, except on the first line (`/***@x` is text, not a tag).
    const line = rawLine.replace(i === 0 ? /^[ \t]*/ : /^[ \t]*(\*[ \t]*)?/, "");
    const m = /^@([A-Za-z]+)(?=[ \t]|$)/.exec(line);
    const rest = m ? line.slice(m[0].length) : line;
    if (rest.includes("@")) giveUp("JSDoc @ inside text");
    if (!m) return;
    if (SPECIAL_TAGS.has(m[1]!)) giveUp(`JSDoc @${m[1]!}`);
    tags.push(m[1]!);
  });
  return tags;
}
