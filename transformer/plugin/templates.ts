/**
 * Finding `bpf` templates in a type-checked program and turning each into a `TemplateSource`.
 *
 * Shared by the tsc plugin and `whistler build`: the tag is recognised by the symbol it
 * resolves to (the `bpf` export of whistler-ts), not by its name, and every `${expr}` is
 * resolved through the type checker, across files and re-exports.
 */
import type * as TS from "typescript";
import type { Slot, SlotValue, TemplateSource, MapSlotInfo, StructSlotInfo } from "../api.js";
import type { StructLayout } from "../../runtime/struct/layout.js";
import { isScalarName, type ScalarName } from "../../runtime/types.js";
import { STACK_TRACE_LAYOUT, type MapKind } from "../../runtime/map-decl.js";
import { StructEvaluator, StructEvalError } from "../structs/evaluate.js";

export interface TemplateSite {
  readonly node: TS.TaggedTemplateExpression;
  /** Name of the exported `const` the template is assigned to, if any. */
  readonly exportName: string | undefined;
  readonly source: TemplateSource;
  /** Object-file map name -> the interpolated expression that denotes the map. */
  readonly mapExprs: ReadonlyMap<string, TS.Expression>;
}

/** Map classes of whistler-ts and the kind each declares. */
const MAP_CLASSES: Readonly<Record<string, MapKind>> = {
  HashMap: "hash", ArrayMap: "array", PerCpuHashMap: "percpu_hash", PerCpuArrayMap: "percpu_array",
  LruHashMap: "lru_hash", LruPerCpuHashMap: "lru_percpu_hash", LpmTrieMap: "lpm_trie", QueueMap: "queue",
  StackMap: "stack", BloomFilter: "bloom_filter", ProgArrayMap: "prog_array", ArrayOfMaps: "array_of_maps",
  HashOfMaps: "hash_of_maps", RingBuf: "ringbuf", PerfEventArray: "perf_event_array",
  StackTraceMap: "stack_trace",
};

/**
 * Key/value types a map class fixes itself (its options have no `key`/`value`). Kinds
 * without keys (queue, stack, bloom filter) or values (ring buffer) name u32 here: the
 * object writer must emit neither for them.
 */
const IMPLICIT_TYPES: Readonly<Partial<Record<MapKind, { readonly key?: ScalarName; readonly value?: ScalarName }>>> = {
  array: { key: "u32" },
  percpu_array: { key: "u32" },
  prog_array: { key: "u32", value: "u32" },
  array_of_maps: { key: "u32", value: "u32" },
  hash_of_maps: { value: "u32" },
  perf_event_array: { key: "u32", value: "u32" },
  ringbuf: { key: "u32", value: "u32" },
  queue: { key: "u32" },
  stack: { key: "u32" },
  bloom_filter: { key: "u32" },
  // The value is STACK_TRACE_LAYOUT (u64 ips[127]), set where the slot is made.
  stack_trace: { key: "u32", value: "u8" },
  // An IPv4 LPM trie's key, struct { u32 prefixlen; u8 addr[4]; }, is one u64 in templates:
  // prefixlen in the low half, the address bytes (as load_u32 reads them) in the high half.
  lpm_trie: { key: "u64" },
};

/** BPF_F_NO_PREALLOC: the kernel creates LPM tries only with it. */
const BPF_F_NO_PREALLOC = 1;

/** An LPM trie declaration's `family` is IPv4: absent, "ipv4", or 4 bytes of data. */
function isIpv4Family(ts: typeof TS, family: TS.Expression | undefined): boolean {
  if (!family) return true;
  if (ts.isStringLiteralLike(family)) return family.text === "ipv4";
  return ts.isNumericLiteral(family) && family.text === "4";
}

type ApiModule = "template" | "map-decl" | "types";

/** Files of the package that declare its public API (sources, or built .js/.d.ts). */
const API_FILE: Readonly<Record<ApiModule, RegExp>> = {
  template: /[/\\]runtime[/\\]template\.(d\.)?[mc]?[tj]s$/,
  "map-decl": /[/\\]runtime[/\\]map-decl\.(d\.)?[mc]?[tj]s$/,
  types: /[/\\]runtime[/\\]types\.(d\.)?[mc]?[tj]s$/,
};

function isOwnApiFile(fileName: string, module: ApiModule): boolean {
  return API_FILE[module].test(fileName);
}

function resolveAlias(ts: typeof TS, checker: TS.TypeChecker, sym: TS.Symbol | undefined): TS.Symbol | undefined {
  if (sym && sym.flags & ts.SymbolFlags.Alias) return checker.getAliasedSymbol(sym);
  return sym;
}

function isApiSymbol(sym: TS.Symbol | undefined, name: string, module: ApiModule): boolean {
  if (!sym || sym.getName() !== name) return false;
  return (sym.declarations ?? []).some((d) => isOwnApiFile(d.getSourceFile().fileName, module));
}

export function isBpfTag(ts: typeof TS, checker: TS.TypeChecker, tag: TS.Expression): boolean {
  return isApiSymbol(resolveAlias(ts, checker, checker.getSymbolAtLocation(tag)), "bpf", "template");
}

/** Placeholder identifier of exactly `length` characters for slot `index`: `$3______`. */
export function placeholderFor(index: number, length: number): string | undefined {
  const id = `$${index}`;
  return id.length > length ? undefined : id.padEnd(length, "_");
}

/** Evaluates a compile-time integer expression (literals and + - * << | & on them). */
function evalInt(ts: typeof TS, checker: TS.TypeChecker, e: TS.Expression): bigint | undefined {
  if (ts.isParenthesizedExpression(e)) return evalInt(ts, checker, e.expression);
  if (ts.isNumericLiteral(e)) return Number.isInteger(Number(e.text)) ? BigInt(Number(e.text)) : undefined;
  if (ts.isBigIntLiteral(e)) return BigInt(e.text.slice(0, -1));
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
    const v = evalInt(ts, checker, e.operand);
    return v === undefined ? undefined : -v;
  }
  if (ts.isBinaryExpression(e)) {
    const l = evalInt(ts, checker, e.left);
    const r = evalInt(ts, checker, e.right);
    if (l === undefined || r === undefined) return undefined;
    switch (e.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken: return l + r;
      case ts.SyntaxKind.MinusToken: return l - r;
      case ts.SyntaxKind.AsteriskToken: return l * r;
      case ts.SyntaxKind.LessThanLessThanToken: return l << r;
      case ts.SyntaxKind.BarToken: return l | r;
      case ts.SyntaxKind.AmpersandToken: return l & r;
      default: return undefined;
    }
  }
  const t = checker.getTypeAtLocation(e);
  if (t.isNumberLiteral() && Number.isInteger(t.value)) return BigInt(t.value);
  if (t.flags & ts.TypeFlags.BigIntLiteral) {
    const v = (t as TS.BigIntLiteralType).value;
    return BigInt((v.negative ? "-" : "") + v.base10Value);
  }
  if (ts.isIdentifier(e)) {
    const decl = resolveAlias(ts, checker, checker.getSymbolAtLocation(e))?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && isConstDecl(ts, decl)) {
      return evalInt(ts, checker, decl.initializer);
    }
  }
  return undefined;
}

function isConstDecl(ts: typeof TS, decl: TS.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & ts.NodeFlags.Const) !== 0;
}

function scalarOf(ts: typeof TS, checker: TS.TypeChecker, e: TS.Expression | undefined): ScalarName | undefined {
  if (!e) return undefined;
  const sym = resolveAlias(ts, checker, checker.getSymbolAtLocation(e));
  if (sym && isScalarName(sym.getName()) && isApiSymbol(sym, sym.getName(), "types")) return sym.getName() as ScalarName;
  return undefined;
}

function property(ts: typeof TS, obj: TS.ObjectLiteralExpression, name: string): TS.Expression | undefined {
  for (const p of obj.properties) {
    // The name's own text, not getText(): that rescans the source for every property.
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
  }
  return undefined;
}

/** Resolves one interpolated expression to what the compiler needs to know about it. */
function resolveSlot(ts: typeof TS, checker: TS.TypeChecker, expr: TS.Expression): SlotValue {
  const sym = resolveAlias(ts, checker, checker.getSymbolAtLocation(expr));
  const decl = sym?.valueDeclaration;
  if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isNewExpression(decl.initializer)) {
    const ctor = decl.initializer;
    const cls = resolveAlias(ts, checker, checker.getSymbolAtLocation(ctor.expression));
    const kind = cls ? MAP_CLASSES[cls.getName()] : undefined;
    if (kind && cls && isApiSymbol(cls, cls.getName(), "map-decl")) {
      return resolveMapDecl(ts, checker, decl, ctor, kind);
    }
  }
  const struct = resolveStruct(ts, checker, expr);
  if (struct) return struct;
  const n = evalInt(ts, checker, expr);
  if (n !== undefined) return { kind: "int", value: n };
  return {
    kind: "unresolved",
    reason: `\`${expr.getText()}\` is neither a map declared with \`new HashMap(...)\`, \`new ArrayMap(...)\`, \`new RingBuf(...)\`, ... nor a compile-time integer constant`,
  };
}

/** A struct declared with `defstruct` -> its layout (or why it has none). */
function resolveStruct(ts: typeof TS, checker: TS.TypeChecker, expr: TS.Expression): SlotValue | undefined {
  const evaluator = new StructEvaluator(ts, checker);
  const call = evaluator.callOf(expr);
  if (!call) return undefined;
  try {
    const sf = call.getSourceFile();
    return { ...evaluator.layoutOfCall(call), declaredAt: { fileName: sf.fileName, start: call.getStart(), length: call.getWidth() } };
  } catch (e) {
    if (e instanceof StructEvalError) return { kind: "unresolved", reason: `struct \`${expr.getText()}\`: ${e.message}` };
    throw e;
  }
}

/** A map's `key`/`value` option (not a scalar token) naming a `defstruct` class: its layout, or why it has none. */
function structElem(ts: typeof TS, checker: TS.TypeChecker, e: TS.Expression | undefined): StructSlotInfo | { kind: "unresolved"; reason: string } | undefined {
  if (!e) return undefined;
  const s = resolveStruct(ts, checker, e);
  return s?.kind === "struct" || s?.kind === "unresolved" ? s : undefined;
}

/** The layout alone (no source location): what the compiler and the object's BTF need. */
function layoutOnly(s: StructSlotInfo): StructLayout {
  const { declaredAt: _, ...layout } = s;
  return layout;
}

function resolveMapDecl(
  ts: typeof TS, checker: TS.TypeChecker, decl: TS.VariableDeclaration, ctor: TS.NewExpression, kind: MapKind,
): SlotValue {
  // Only an error message needs the declaration's line.
  const declaredAt = (): string => ` (map declared at ${decl.getSourceFile().fileName}:${decl.getSourceFile().getLineAndCharacterOfPosition(decl.getStart()).line + 1})`;
  const opts = ctor.arguments?.[0];
  if (!opts || !ts.isObjectLiteralExpression(opts)) {
    return { kind: "unresolved", reason: `map options must be an object literal${declaredAt()}` };
  }
  if (kind === "lpm_trie" && !isIpv4Family(ts, property(ts, opts, "family"))) {
    return { kind: "unresolved", reason: `only IPv4 LPM tries (family "ipv4", the default) can be used in bpf templates yet${declaredAt()}` };
  }
  // Each option resolved once: a scalar token, else a defstruct class.
  const keyExpr = IMPLICIT_TYPES[kind]?.key ? undefined : property(ts, opts, "key");
  const valueExpr = IMPLICIT_TYPES[kind]?.value ? undefined : property(ts, opts, "value");
  const keyScalar = scalarOf(ts, checker, keyExpr);
  const valueScalar = scalarOf(ts, checker, valueExpr);
  const keyStruct = keyScalar ? undefined : structElem(ts, checker, keyExpr);
  const valueStruct = valueScalar ? undefined : structElem(ts, checker, valueExpr);
  if (keyStruct?.kind === "unresolved") return keyStruct;
  if (valueStruct?.kind === "unresolved") return valueStruct;
  const key = keyStruct ? "u8" : IMPLICIT_TYPES[kind]?.key ?? keyScalar;
  const value = valueStruct ? "u8" : IMPLICIT_TYPES[kind]?.value ?? valueScalar;
  const maxExpr = property(ts, opts, "maxEntries");
  // A perf event array without maxEntries gets one slot per possible CPU at load time.
  const maxEntries = maxExpr ? evalInt(ts, checker, maxExpr) : kind === "perf_event_array" ? 0n : undefined;
  if (!key) return { kind: "unresolved", reason: `map key must be a scalar type token such as u32 or a defstruct class${declaredAt()}` };
  if (!value) return { kind: "unresolved", reason: `map value must be a scalar type token such as u64 or a defstruct class${declaredAt()}` };
  if (maxEntries === undefined || maxEntries < (kind === "perf_event_array" ? 0n : 1n) || maxEntries > 0xffffffffn) {
    return { kind: "unresolved", reason: `maxEntries must be a positive compile-time integer${declaredAt()}` };
  }
  // A bloom filter's hash count is its map_extra (BloomFilter checks 1..15 at run time too).
  const hashesExpr = kind === "bloom_filter" ? property(ts, opts, "hashes") : undefined;
  const hashes = hashesExpr ? evalInt(ts, checker, hashesExpr) : 0n;
  if (hashes === undefined || hashes < 0n || hashes > 15n) {
    return { kind: "unresolved", reason: `hashes must be a compile-time integer from 1 to 15${declaredAt()}` };
  }
  const nameExpr = property(ts, opts, "name");
  const name = nameExpr && ts.isStringLiteralLike(nameExpr) ? nameExpr.text : decl.name.getText();
  const map: MapSlotInfo = {
    kind, key, value, maxEntries: Number(maxEntries),
    ...(keyStruct ? { keyStruct: layoutOnly(keyStruct) } : {}),
    ...(valueStruct ? { valueStruct: layoutOnly(valueStruct) } : {}),
    ...(kind === "stack_trace" ? { valueStruct: STACK_TRACE_LAYOUT } : {}),
    ...(hashes ? { mapExtra: Number(hashes) } : {}),
  };
  const sf = decl.getSourceFile();
  const flagged: MapSlotInfo = kind === "lpm_trie" ? { ...map, flags: BPF_F_NO_PREALLOC } : map;
  return { kind: "map", name, map: flagged, declaredAt: { fileName: sf.fileName, start: decl.getStart(), length: decl.getWidth() } };
}

function exportedConstName(ts: typeof TS, node: TS.Node): string | undefined {
  const decl = node.parent;
  if (!decl || !ts.isVariableDeclaration(decl) || decl.initializer !== node || !ts.isIdentifier(decl.name)) return undefined;
  const stmt = decl.parent?.parent;
  if (!stmt || !ts.isVariableStatement(stmt)) return undefined;
  const exported = stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
  return exported ? decl.name.text : undefined;
}

/** Builds the compiler input for one tagged template. */
export function templateSite(ts: typeof TS, checker: TS.TypeChecker, node: TS.TaggedTemplateExpression): TemplateSite {
  const sf = node.getSourceFile();
  const host = sf.text;
  const tpl = node.template;
  const start = tpl.getStart(sf) + 1;
  const end = tpl.getEnd() - 1;
  let text = host.slice(start, end);
  const slots: Slot[] = [];
  const mapExprs = new Map<string, TS.Expression>();
  if (ts.isTemplateExpression(tpl)) {
    let prev: TS.TemplateLiteralLikeNode = tpl.head;
    tpl.templateSpans.forEach((span, i) => {
      const from = prev.getEnd() - 2 - start; // the `${`
      const to = span.literal.getStart(sf) + 1 - start; // after the `}`
      const length = to - from;
      const placeholder = placeholderFor(i, length) ?? "";
      const value: SlotValue = placeholder
        ? resolveSlot(ts, checker, span.expression)
        : { kind: "unresolved", reason: "too many interpolations for this short `${}`; add spaces inside it" };
      const filler = placeholder || "$".padEnd(length, "_");
      text = text.slice(0, from) + filler + text.slice(to);
      slots.push({ placeholder: filler, start: from, length, value });
      if (value.kind === "map") mapExprs.set(value.name, span.expression);
      prev = span.literal;
    });
  }
  return {
    node,
    exportName: exportedConstName(ts, node),
    source: { fileName: sf.fileName, hostText: host, start, text, slots },
    mapExprs,
  };
}

/** Every `bpf` tagged template in a source file, in source order. */
export function findTemplates(ts: typeof TS, checker: TS.TypeChecker, sf: TS.SourceFile): TemplateSite[] {
  const sites: TemplateSite[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isTaggedTemplateExpression(node) && isBpfTag(ts, checker, node.tag)) {
      sites.push(templateSite(ts, checker, node));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return sites;
}
