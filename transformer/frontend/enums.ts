/**
 * `enum` declarations at the top level of a template. Each member is an untyped constant
 * named `Enum.Member`, folded wherever it is used like a literal (`Proto.TCP` is `6`, taking
 * the type of what it meets). As in TypeScript, a member without an initializer is the
 * previous member plus one (the first is 0), and an initializer may name earlier members,
 * bare (`AB = A | B`) or qualified. `const enum` is the same. Only numeric enums: BPF has no
 * strings to compare.
 */
import ts = require("typescript");
import type { Span } from "../diagnostics.js";
import type { Expr, GlobalDecl } from "./ast.js";

/** What enum parsing needs of the template parser. */
export interface EnumParserHost {
  span(node: ts.Node): Span;
  unsupported(node: ts.Node, what?: string): void;
  /** Parses an expression (the parser puts the enum's own members in scope as bare names). */
  expr(e: ts.Expression): Expr | undefined;
}

/** Qualified name of a member: the constant's name in the template's scope. */
export const memberName = (enumName: string, member: string): string => `${enumName}.${member}`;

/** Enum name -> its member names, for every top-level enum of the template. */
export function enumMembers(statements: readonly ts.Statement[]): Map<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  for (const st of statements) {
    if (!ts.isEnumDeclaration(st)) continue;
    out.set(st.name.text, new Set(st.members.flatMap((m) => (ts.isIdentifier(m.name) ? [m.name.text] : []))));
  }
  return out;
}

/** The constants an enum declares, or undefined after reporting what is not supported. */
export function enumConstants(host: EnumParserHost, decl: ts.EnumDeclaration): GlobalDecl[] | undefined {
  const bad = decl.modifiers?.find((m) => m.kind !== ts.SyntaxKind.ConstKeyword);
  if (bad) {
    host.unsupported(bad, `'${ts.tokenToString(bad.kind) ?? "this"}' is not supported on enums: an enum is local to its template (use \`enum\` or \`const enum\`)`);
    return undefined;
  }
  const out: GlobalDecl[] = [];
  let previous: string | undefined;
  for (const m of decl.members) {
    if (!ts.isIdentifier(m.name)) {
      host.unsupported(m.name, "enum member names must be plain identifiers");
      return undefined;
    }
    const name = memberName(decl.name.text, m.name.text);
    const nameSpan = host.span(m.name);
    let init: Expr | undefined;
    if (m.initializer) {
      if (ts.isStringLiteralLike(m.initializer)) {
        host.unsupported(m.initializer, "string enum members are not supported: BPF enums are integers (write a number)");
        return undefined;
      }
      init = host.expr(m.initializer);
      if (!init) return undefined;
    } else if (previous === undefined) {
      init = { k: "int", value: 0n, span: nameSpan };
    } else {
      const prev: Expr = { k: "name", name: previous, span: nameSpan };
      init = { k: "binary", op: "+", left: prev, right: { k: "int", value: 1n, span: nameSpan }, opSpan: nameSpan, span: nameSpan };
    }
    out.push({ k: "let", isConst: true, name, nameSpan, init, span: host.span(m) });
    previous = name;
  }
  return out;
}
