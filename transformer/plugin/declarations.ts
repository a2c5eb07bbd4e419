/**
 * Precise declaration types for exported templates: with the transformer's
 * `afterDeclarations` entry, `export declare const prog: BpfTemplate;` in the .d.ts becomes
 * `BpfTemplate<"count_opens", { readonly counts: HashMap<ScalarType<"u32">, ...> }>`, so code
 * that consumes the package gets `load(prog).program("count_opens")` and `.map("counts")`
 * checked. The `before` pass records what each template compiled to; this pass rewrites.
 */
import type * as TS from "typescript";
import type { MapSlotInfo } from "../api.js";
import type { StructFieldType, StructLayout } from "../../runtime/struct/layout.js";

interface TemplateTypes {
  readonly programs: readonly string[];
  readonly maps: ReadonlyMap<string, MapSlotInfo>;
}

/** source file name -> exported const name -> what its template compiled to */
const recorded = new Map<string, Map<string, TemplateTypes>>();

export function recordTemplateTypes(fileName: string, exportName: string, types: TemplateTypes): void {
  let file = recorded.get(fileName);
  if (!file) recorded.set(fileName, (file = new Map()));
  file.set(exportName, types);
}

/** Declaration classes by kind, with whether they take a key type argument. */
const MAP_CLASS: Partial<Record<MapSlotInfo["kind"], readonly [string, boolean]>> = {
  hash: ["HashMap", true],
  array: ["ArrayMap", false],
  percpu_hash: ["PerCpuHashMap", true],
  percpu_array: ["PerCpuArrayMap", false],
  lru_hash: ["LruHashMap", true],
  lru_percpu_hash: ["LruPerCpuHashMap", true],
};

function typeNode(ts: typeof TS, t: TemplateTypes): TS.TypeNode {
  const f = ts.factory;
  const api = (name: string, args?: TS.TypeNode[]): TS.TypeNode =>
    f.createImportTypeNode(f.createLiteralTypeNode(f.createStringLiteral("whistler-ts")), undefined, f.createIdentifier(name), args);
  const scalar = (n: string): TS.TypeNode => api("ScalarType", [f.createLiteralTypeNode(f.createStringLiteral(n))]);
  const count = (n: number): TS.TypeNode => f.createLiteralTypeNode(f.createNumericLiteral(n));
  // A defstruct's class is named by its fields' specs (the host's class itself is not
  // importable from the .d.ts): StructClass<{ readonly pid: ScalarType<"u32">; ... }>.
  const field = (t: StructFieldType): TS.TypeNode => {
    switch (t.kind) {
      case "scalar": return t.asNumber ? api("NumberSpec", [scalar(t.name)]) : scalar(t.name);
      case "char": return api("CharSpec", [count(t.length)]);
      case "array": return api("ArraySpec", [field(t.element), count(t.length)]);
      case "struct": return struct(t);
    }
  };
  const struct = (l: StructLayout): TS.TypeNode => api("StructClass", [f.createTypeLiteralNode(l.fields.map((x) =>
    f.createPropertySignature([f.createModifier(ts.SyntaxKind.ReadonlyKeyword)], f.createStringLiteral(x.name), undefined, field(x.type))))]);
  const mapType = (m: MapSlotInfo): TS.TypeNode => {
    const cls = MAP_CLASS[m.kind];
    if (!cls) return api("MapDecl");
    const [name, keyed] = cls;
    const key = m.keyStruct ? struct(m.keyStruct) : scalar(m.key);
    const value = m.valueStruct ? struct(m.valueStruct) : scalar(m.value);
    return api(name, keyed ? [key, value] : [value]);
  };
  const programs = t.programs.length
    ? f.createUnionTypeNode(t.programs.map((p) => f.createLiteralTypeNode(f.createStringLiteral(p))))
    : f.createKeywordTypeNode(ts.SyntaxKind.NeverKeyword);
  const maps = f.createTypeLiteralNode(
    [...t.maps].map(([name, m]) =>
      f.createPropertySignature([f.createModifier(ts.SyntaxKind.ReadonlyKeyword)], f.createStringLiteral(name), undefined, mapType(m)),
    ),
  );
  return api("BpfTemplate", [programs, maps]);
}

export function declarationTransformer(ts: typeof TS): TS.TransformerFactory<TS.SourceFile | TS.Bundle> {
  return (context) => (node) => {
    if (!ts.isSourceFile(node)) return node;
    const file = recorded.get(node.fileName);
    if (!file) return node;
    const visit = (n: TS.Node): TS.Node => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) {
        const t = file.get(n.name.text);
        if (t) return ts.factory.updateVariableDeclaration(n, n.name, n.exclamationToken, typeNode(ts, t), n.initializer);
      }
      return ts.visitEachChild(n, visit, context);
    };
    return ts.visitEachChild(node, visit, context);
  };
}
