/**
 * Random templates from a grammar of what templates may contain (enums, kfuncs, globals,
 * helpers with JSDoc, programs; every statement and expression form, literal forms, casts),
 * laid out with random spaces, line breaks, comments and optional semicolons. Many are not
 * valid (a helper returning a struct name, `break` outside a loop): differential parser tests
 * compare what each parser makes of them.
 */
import { mulberry32 } from "./prng.js";

/** A generator of template texts for `seed`. */
export function randomTemplates(seed: number): () => string {
  const rnd = mulberry32(seed);
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const chance = (p: number): boolean => rnd() < p;
  const ws = (): string => pick([" ", " ", " ", "\n", "  ", "/* c */ ", "// c\n", "\t", "\r\n", "/*\n*/"]);
  const semi = (): string => (chance(0.7) ? ";" : chance(0.5) ? "\n" : "");
  const names = ["a", "b", "c", "$0___", "E", "F", "x", "undefined", "of", "get"];
  const types = ["u32", "u64", "i32", "boolean", "KernelStruct<\"task_struct\">", "bool", "Foo", "KernelStruct"];
  const lits = ["0", "7", "0x1F", "0b101", "0o17", "1_000", "1n", "0xffn", "true", "false", "null", "\"s\\n\"", "'q\\''", "`t`", "\"\\x41\\u{1F600}\""];
  function expr(d: number): string {
    if (d <= 0) return pick([...names, ...lits, "E.A", "F.B", "m.f", "a[1]", "f(1)", "m.g(a, b)", "(a)"]);
    const s = (): string => ws().trim() === "" ? ws() : " ";
    switch (Math.floor(rnd() * 12)) {
      case 0: return `${pick(["-", "!", "~", "+", "++", "--"])}${expr(d - 1)}`;
      case 1: return `${expr(0)}${pick(["++", "--"])}`;
      case 2: return `(${chance(0.1) ? objectLiteral(1) : expr(d - 1)})`;
      case 3: return `${expr(d - 1)} as ${pick(types)}`;
      case 4: return `${expr(d - 1)} ?${s()}${expr(d - 1)} :${s()}${expr(d - 1)}`;
      case 5: return `${pick(["a", "b.c", "x[0]", "(a)"])} ${pick(["=", "+=", "<<=", ">>>=", "|="])} ${expr(d - 1)}`;
      case 6: return `f(${expr(d - 1)}, ${expr(d - 1)})`;
      case 7: return `m.${pick(["lookup", "delete", "if", "default"])}(${chance(0.2) ? objectLiteral(1) : expr(d - 1)})`;
      case 8: return `${expr(d - 1)}[${expr(d - 1)}]`;
      case 9: return `${expr(d - 1)}.${pick(["x", "y", "A"])}`;
      default: return `${expr(d - 1)}${s()}${pick(["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>", "<", "<=", ">", ">=", "==", "===", "!=", "!==", "&&", "||"])}${s()}${expr(d - 1)}`;
    }
  }
  /** `{ a: 1, b, c: { ... }, }`, with now and then an entry only TypeScript's parser takes. */
  function objectLiteral(d: number): string {
    const entry = (): string => {
      const key = pick(["a", "b", "c", "pid", "in", "type"]);
      return pick([`${key}: ${expr(1)}`, key, d > 0 ? `${key}:${ws()}${objectLiteral(d - 1)}` : key, `[${key}]: 1`, `"${key}": 2`, `...${key}`, `${key}() {}`, `${key} = 1`]);
    };
    const n = Math.floor(rnd() * 4);
    return `{${ws()}${Array.from({ length: n }, entry).join(`,${ws()}`)}${n > 0 && chance(0.3) ? "," : ""}${ws()}}`;
  }

  function decl(): string {
    const n = 1 + Math.floor(rnd() * 2);
    const ds = Array.from({ length: n }, () => {
      const typed = chance(0.4);
      // A typed declaration may take an object literal (a struct local's fields).
      const value = typed && chance(0.3) ? objectLiteral(2) : expr(2);
      return `${pick(["v", "w", "z"])}${typed ? `: ${pick(types)}` : ""}${chance(0.8) ? ` = ${value}` : ""}`;
    });
    return `${pick(["let", "const"])} ${ds.join(`,${ws()}`)}`;
  }
  function stmt(d: number): string {
    const k = Math.floor(rnd() * (d <= 0 ? 4 : 12));
    switch (k) {
      case 0: return `${expr(2)}${semi()}`;
      case 1: return `${decl()}${semi()}`;
      case 2: return `return${chance(0.7) ? " " + expr(2) : ""}${semi()}`;
      case 3: return `${pick(["break", "continue", ";", "{}"])}${semi()}`;
      case 4: return `if (${expr(2)})${ws()}${stmt(d - 1)}${chance(0.4) ? `${ws()}else ${stmt(d - 1)}` : ""}`;
      case 5: return `while (${expr(1)}) ${stmt(d - 1)}`;
      case 6: return `for (${pick(["", decl(), "a = 0", "a = 0, b = 1"])}; ${chance(0.7) ? expr(1) : ""}; ${pick(["", "a++", "a++, b--"])}) ${stmt(d - 1)}`;
      case 7: return `switch (${expr(1)}) {${ws()}${Array.from({ length: Math.floor(rnd() * 3) }, () => `${chance(0.7) ? `case ${expr(1)}` : "default"}:${ws()}${chance(0.7) ? stmt(d - 1) : ""}`).join(ws())}}`;
      default: return `{${ws()}${Array.from({ length: Math.floor(rnd() * 3) }, () => stmt(d - 1)).join(ws())}${ws()}}`;
    }
  }
  const body = (): string => `{${ws()}${Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => stmt(2)).join(ws())}${ws()}}`;
  const params = (max: number): string => Array.from({ length: Math.floor(rnd() * max) }, (_, i) => `p${i}: ${pick(types)}`).join(", ");
  function top(): string {
    switch (Math.floor(rnd() * 7)) {
      case 0: return `${chance(0.3) ? "const " : ""}enum ${pick(["E", "F"])} {${ws()}${Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, i) => `${pick(["A", "B", "C", "D"])}${chance(0.5) ? ` = ${pick(["1", "A + 1", "B | C", "E.A", "F.B * 2", "x", "(\"s\")", "-1"])}` : ""}`).join(`,${ws()}`)}${chance(0.3) ? "," : ""}${ws()}}`;
      case 1: return `declare function k${Math.floor(rnd() * 3)}(${params(6)})${chance(0.6) ? `: ${pick([...types, "void"])}` : ""}${semi()}`;
      case 2: return `${decl()}${semi()}`;
      case 3: return `${pick(["", "/** @inline */\n", "/** @noinline */ ", "/**\n * doc\n * @noinline\n */\n", "// c\n/** @inline */ /** x */\n", "/** @inline */ "])}function h${Math.floor(rnd() * 3)}(${params(6)})${chance(0.6) ? `: ${pick([...types, "void"])}` : ""} ${body()}`;
      default: return `export function p${Math.floor(rnd() * 3)}(ctx: ${pick(["Xdp", "Tracepoint<\"a/b\">", "Tracepoint<\"a\", \"b\">", "u32"])})${chance(0.8) ? `: ${pick(types)}` : ""} ${body()}`;
    }
  }
  return () => Array.from({ length: 1 + Math.floor(rnd() * 4) }, top).join(ws() + (chance(0.5) ? "\n" : ""));
}
