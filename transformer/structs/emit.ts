/**
 * Replacing a `defstruct(...)` call with `defstruct.compiled(name, fields, opts, offsets,
 * generate)`. The callee and the argument expressions are reused as written, so imports stay
 * referenced and nested struct classes are the same objects at run time.
 */
import type * as TS from "typescript";
import type { StructSite } from "./evaluate.js";
import { layoutOffsets, structClassSource } from "./ts-class.js";

/**
 * Parses a JS expression into freshly synthesized nodes: nodes of a foreign source file would
 * send the emitter (and the checker behind it) looking for their declarations.
 */
function parseExpression(ts: typeof TS, text: string): TS.Expression {
  const sf = ts.createSourceFile("struct-class.js", `(${text});`, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const stmt = sf.statements[0];
  if (!stmt || !ts.isExpressionStatement(stmt)) throw new Error("internal: generated struct class did not parse");
  const f = ts.factory;
  let result: TS.Expression | undefined;
  ts.transform(stmt.expression, [(context) => (root) => {
    const fresh = (n: TS.Node): TS.Node => {
      if (ts.isIdentifier(n)) return f.createIdentifier(n.text);
      if (ts.isStringLiteral(n)) return f.createStringLiteral(n.text);
      if (ts.isNumericLiteral(n)) return f.createNumericLiteral(n.text);
      switch (n.kind) {
        case ts.SyntaxKind.ThisKeyword: return f.createThis();
        case ts.SyntaxKind.TrueKeyword: return f.createTrue();
        case ts.SyntaxKind.FalseKeyword: return f.createFalse();
        case ts.SyntaxKind.StaticKeyword: return f.createModifier(ts.SyntaxKind.StaticKeyword);
        default:
          // Updated nodes point back at the parsed ones (`original`); cut that link.
          return ts.setOriginalNode(ts.visitEachChild(n, fresh, context), undefined);
      }
    };
    result = fresh(root) as TS.Expression;
    return root;
  }]);
  if (!result) throw new Error("internal: generated struct class did not transform");
  return result;
}

export function compiledStructCall(ts: typeof TS, site: StructSite): TS.CallExpression {
  const f = ts.factory;
  const [name, fields, opts] = site.node.arguments;
  const offsets = f.createArrayLiteralExpression(layoutOffsets(site.layout).map((n) => f.createNumericLiteral(n)));
  return f.createCallExpression(f.createPropertyAccessExpression(site.node.expression, "compiled"), site.node.typeArguments, [
    name!, fields!, opts ?? f.createIdentifier("undefined"), offsets, parseExpression(ts, structClassSource(site.layout)),
  ]);
}
