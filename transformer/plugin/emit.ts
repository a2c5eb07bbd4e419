/**
 * The replacement for a compiled template: `bpf.compiled({ elf, programs, maps })`.
 *
 * The tag expression and the interpolated map expressions are reused as they are, so
 * imports stay referenced and `obj.map(counts)` can find a map by the identity of its
 * declaration object at run time.
 */
import type * as TS from "typescript";
import type { CompileResult } from "../api.js";
import type { TemplateSite } from "./templates.js";

/**
 * Objects above this size are emitted as base64. Measured (Node 20, import of a module with
 * 20 objects, best of 5): 1 KB objects load equally fast either way; at 4 KB base64 is 2x
 * faster (15 vs 29 ms) and 2.6x smaller; at 16 KB 10x faster. A number-array literal is kept
 * only for tiny objects, where it is as fast and readable in the emitted JS.
 */
export const BASE64_THRESHOLD = 1024;

export function elfLiteral(ts: typeof TS, elf: Uint8Array): TS.Expression {
  const f = ts.factory;
  if (elf.length > BASE64_THRESHOLD) return f.createStringLiteral(Buffer.from(elf).toString("base64"));
  return f.createNewExpression(f.createIdentifier("Uint8Array"), undefined, [
    f.createArrayLiteralExpression(Array.from(elf, (b) => f.createNumericLiteral(b))),
  ]);
}

export function compiledCall(ts: typeof TS, site: TemplateSite, result: CompileResult): TS.Expression {
  const f = ts.factory;
  const elf = result.elf;
  if (!elf) throw new Error("internal: emitting a template that failed to compile");
  const programs = f.createArrayLiteralExpression(
    result.programs.map((p) =>
      f.createObjectLiteralExpression([
        f.createPropertyAssignment("name", f.createStringLiteral(p.name)),
        f.createPropertyAssignment("section", f.createStringLiteral(p.section)),
      ]),
    ),
  );
  const maps = f.createObjectLiteralExpression(
    [...site.mapExprs].map(([name, expr]) => f.createPropertyAssignment(f.createStringLiteral(name), expr)),
  );
  const payload = f.createObjectLiteralExpression(
    [
      f.createPropertyAssignment("elf", elfLiteral(ts, elf)),
      f.createPropertyAssignment("programs", programs),
      f.createPropertyAssignment("maps", maps),
    ],
    true,
  );
  const call = f.createCallExpression(f.createPropertyAccessExpression(site.node.tag, "compiled"), undefined, [payload]);
  // Source maps: the emitted call maps back to the template it replaces.
  ts.setOriginalNode(call, site.node);
  ts.setSourceMapRange(call, site.node);
  ts.setSourceMapRange(payload, site.node.template);
  return call;
}
