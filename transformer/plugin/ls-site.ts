/**
 * Where an editor position falls: inside which `bpf` template, at which offset of its text
 * (the 1:1 placeholder text the compiler sees, so template offset + `source.start` is the
 * host offset), inside which interpolation if any, and inside which program (its context
 * parameter and kind). Positions outside templates return undefined: TypeScript answers.
 */
import type * as TS from "typescript";
import type { Slot } from "../api.js";
import type { StructLayout } from "../../runtime/struct/layout.js";
import { CTX_KINDS, type CtxKindDef } from "../frontend/ctx.js";
import { isBpfTag, templateSite, type TemplateSite } from "./templates.js";

export interface ProgramAt {
  /** Name of the context parameter, e.g. `ctx`. */
  readonly ctxName: string | undefined;
  /** Name of the context type, e.g. `Xdp` or `Tracepoint`. */
  readonly ctxKindName: string | undefined;
  readonly ctxKind: CtxKindDef | undefined;
  /** Template offsets of the parameter list, for completions of context types. */
  readonly paramsStart: number;
  readonly paramsEnd: number;
  /** Names declared with const/let before the position in enclosing blocks. */
  readonly locals: readonly string[];
  /** `Tracepoint<"group/name">`: the tracepoint name. */
  readonly tracepoint: string | undefined;
  /**
   * Locals whose value is a struct of a `${Struct}` slot, by the slot's placeholder:
   * `let e: ${Ev}` and `const e = ${ring}.reserve(${Ev})`; or the value struct of a map
   * slot, by the map's placeholder: `const v = ${flows}.lookup(k)`.
   */
  readonly structLocals: ReadonlyMap<string, string>;
  /** Struct locals that hold a pointer which may be null: by the method that gave it. */
  readonly nullableLocals: ReadonlyMap<string, NullableSource>;
  /**
   * Locals initialised by a field or element expression (`const p = e.inner;`), by its
   * text: a struct local when the expression leads to a struct (ls-struct-chain.ts).
   */
  readonly structAliases: ReadonlyMap<string, string>;
}

export interface SiteAt {
  readonly site: TemplateSite;
  /** Offset in the template text. */
  readonly offset: number;
  readonly text: string;
  /** The program whose declaration contains the offset. */
  readonly program: ProgramAt | undefined;
}

/** The `bpf` tagged template whose literal text contains `position`, if any. */
export function siteAt(ts: typeof TS, program: TS.Program, fileName: string, position: number): SiteAt | undefined {
  const sf = program.getSourceFile(fileName);
  if (!sf) return undefined;
  let found: TS.TaggedTemplateExpression | undefined;
  const visit = (node: TS.Node): void => {
    if (position < node.getFullStart() || position > node.getEnd()) return;
    if (ts.isTaggedTemplateExpression(node)) {
      const tpl = node.template;
      // Children are visited after: a template nested in `${}` replaces its parent.
      if (position > tpl.getStart(sf) && position < tpl.getEnd()) found = node;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (!found) return undefined;
  // The innermost template is the one the position is in; is it whistler-ts's `bpf`?
  const checker = program.getTypeChecker();
  if (!isBpfTag(ts, checker, found.tag)) return undefined;
  const site = templateSite(ts, checker, found);
  const offset = position - site.source.start;
  const text = site.source.text;
  return { site, offset, text, program: programAt(ts, text, offset) };
}

/** The slot whose `${...}` covers template offset `offset`; `inclusiveStart` for hover. */
export function slotAt(site: TemplateSite, offset: number, inclusiveStart: boolean): Slot | undefined {
  return site.source.slots.find((s) => (inclusiveStart ? offset >= s.start : offset > s.start) && offset < s.start + s.length);
}

/** The slot whose placeholder is `name` (`$0_____`). */
export function slotNamed(site: TemplateSite, name: string): Slot | undefined {
  return site.source.slots.find((s) => s.placeholder === name);
}

/** The defstruct layout of a struct local (`structLocals`) named `name` in the program at `at`. */
export function structLocalLayout(at: SiteAt, name: string): StructLayout | undefined {
  const placeholder = at.program?.structLocals.get(name);
  const v = placeholder === undefined ? undefined : slotNamed(at.site, placeholder)?.value;
  // A lookup of a map with a scalar value gives a Ptr (`p[0]`), which has no fields.
  return v?.kind === "struct" ? v : v?.kind === "map" ? v.map.valueStruct : undefined;
}

function programAt(ts: typeof TS, text: string, offset: number): ProgramAt | undefined {
  // TypeScript's parser recovers from the half-typed code an editor sends.
  const sf = ts.createSourceFile("template.ts", text, ts.ScriptTarget.Latest, true);
  const fn = sf.statements.find((s): s is TS.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.getStart(sf) <= offset && offset <= s.getEnd());
  if (!fn) return undefined;
  const param = fn.parameters[0];
  let ctxName: string | undefined;
  let ctxKindName: string | undefined;
  let tracepoint: string | undefined;
  if (param) {
    if (ts.isIdentifier(param.name)) ctxName = param.name.text;
    if (param.type && ts.isTypeReferenceNode(param.type) && ts.isIdentifier(param.type.typeName)) {
      ctxKindName = param.type.typeName.text;
      const arg = param.type.typeArguments?.[0];
      if (arg && ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) tracepoint = arg.literal.text;
    }
  }
  const ctxKind = ctxKindName && Object.prototype.hasOwnProperty.call(CTX_KINDS, ctxKindName) ? CTX_KINDS[ctxKindName] : undefined;
  return {
    ctxName,
    ctxKindName,
    ctxKind,
    paramsStart: fn.parameters.pos,
    paramsEnd: fn.parameters.end,
    locals: fn.body ? localsBefore(ts, fn.body, offset) : [],
    tracepoint,
    ...(fn.body ? localFacts(ts, fn.body, offset) : { structLocals: new Map(), nullableLocals: new Map(), structAliases: new Map() }),
  };
}

/** Methods whose struct result is a pointer that is null when they fail. */
export type NullableSource = "reserve" | "lookup";

/**
 * A declaration is seen at `offset` from its name to the end of its block (its case block, or
 * its `for` statement). Where several of one name are, the last in source order is the
 * innermost: a declaration in an inner block comes after those of outer blocks it can see.
 */
function visibleAt(ts: typeof TS, d: TS.VariableDeclaration, offset: number): boolean {
  let scope: TS.Node | undefined = d.parent;
  while (scope && !ts.isBlock(scope) && !ts.isCaseBlock(scope) && !ts.isForStatement(scope)) scope = scope.parent;
  return d.name.getStart() <= offset && (!scope || (scope.pos <= offset && offset <= scope.end));
}

/**
 * What the locals seen at `offset` are, each by the one declaration of its name seen there:
 * typed by a struct placeholder (`let e: ${Ev}`) or initialised by `X.reserve(Struct)` or
 * `${map}.lookup(k)` (those two also nullable): `structLocals`; initialised by `a.b` or `a[i]`
 * (whether that is a struct is the chain's to say): `structAliases`.
 */
function localFacts(ts: typeof TS, body: TS.Block, offset: number): Pick<ProgramAt, "structLocals" | "nullableLocals" | "structAliases"> {
  const seen = new Map<string, TS.VariableDeclaration>();
  const visit = (n: TS.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && visibleAt(ts, n, offset)) seen.set(n.name.text, n);
    ts.forEachChild(n, visit);
  };
  visit(body);
  const structs = new Map<string, string>();
  const nullable = new Map<string, NullableSource>();
  const aliases = new Map<string, string>();
  for (const [name, d] of seen) {
    if (d.type && ts.isTypeReferenceNode(d.type) && ts.isIdentifier(d.type.typeName)) structs.set(name, d.type.typeName.text);
    const init = d.initializer;
    if (init && ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression)) {
      const method = init.expression.name.text;
      // reserve names the struct; lookup's struct is its map's value (structLocalLayout).
      const slot = method === "reserve" ? init.arguments[0] : method === "lookup" ? init.expression.expression : undefined;
      if (slot && ts.isIdentifier(slot)) {
        structs.set(name, slot.text);
        nullable.set(name, method as NullableSource);
      }
    }
    if (init && (ts.isPropertyAccessExpression(init) || ts.isElementAccessExpression(init))) aliases.set(name, init.getText());
  }
  return { structLocals: structs, nullableLocals: nullable, structAliases: aliases };
}

/** const/let names visible at `offset`: declared earlier in a block that encloses it. */
function localsBefore(ts: typeof TS, body: TS.Block, offset: number): string[] {
  const names: string[] = [];
  const walk = (block: TS.Node): void => {
    for (const st of ts.isBlock(block) ? block.statements : [block]) {
      if (st.getEnd() <= offset && ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
      }
      if (st.pos <= offset && offset <= st.end) ts.forEachChild(st, (c) => { if (ts.isBlock(c) || ts.isIfStatement(c)) walk(c); });
    }
  };
  walk(body);
  return [...new Set(names)];
}

const IDENT = /[A-Za-z0-9_$]/;

export function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && IDENT.test(c);
}

/** Start of the identifier that ends at `end` (== end when there is none). */
export function identStart(text: string, end: number): number {
  let i = end;
  while (i > 0 && isIdentChar(text[i - 1])) i--;
  return i;
}

/** Offset of the last non-blank character before `end`, or -1. */
export function prevNonBlank(text: string, end: number): number {
  let i = end - 1;
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  return i;
}

/** Index of the first non-whitespace character at or after `start` (text.length if none). */
export function nextNonBlank(text: string, start: number): number {
  let i = start;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

/** The word `[start, end)` around `offset` (the character at offset or just before it). */
export function wordAt(text: string, offset: number): { start: number; end: number } | undefined {
  let start = offset;
  if (!isIdentChar(text[start])) {
    if (!isIdentChar(text[start - 1])) return undefined;
    start--;
  }
  while (start > 0 && isIdentChar(text[start - 1])) start--;
  let end = start;
  while (end < text.length && isIdentChar(text[end])) end++;
  return { start, end };
}

/** For `obj.word` (blanks allowed around the dot): the `obj` identifier, if the word follows a dot. */
export function memberObject(text: string, wordStart: number): string | undefined {
  const dot = prevNonBlank(text, wordStart);
  if (dot < 0 || text[dot] !== ".") return undefined;
  const objEnd = prevNonBlank(text, dot) + 1;
  const objStart = identStart(text, objEnd);
  return objStart < objEnd ? text.slice(objStart, objEnd) : undefined;
}

/** One step of a chain: a field, or an element at the index written between the brackets. */
export type ChainStep = { readonly field: string } | { readonly index: string };

/** Offset of the `open` bracket that encloses `end`: the innermost one not closed before it, or -1. */
export function enclosingBracket(text: string, end: number, open: "[" | "{", close: "]" | "}"): number {
  let depth = 0;
  for (let i = end - 1; i >= 0; i--) {
    if (text[i] === close) depth++;
    else if (text[i] === open && depth-- === 0) return i;
  }
  return -1;
}

/** `e.pts[i].inner.` ending at the dot before `wordStart`: the root name and the steps after it. */
export function chainSteps(text: string, wordStart: number): { root: string; steps: ChainStep[] } | undefined {
  const dot = prevNonBlank(text, wordStart);
  if (dot < 0 || text[dot] !== ".") return undefined;
  const steps: ChainStep[] = [];
  let end = prevNonBlank(text, dot) + 1;
  for (;;) {
    while (text[end - 1] === "]") {
      const open = enclosingBracket(text, end - 1, "[", "]");
      if (open < 0) return undefined;
      steps.push({ index: text.slice(open + 1, end - 1).trim() });
      end = prevNonBlank(text, open) + 1;
    }
    const start = identStart(text, end);
    if (start === end) return undefined;
    const name = text.slice(start, end);
    const before = prevNonBlank(text, start);
    if (before < 0 || text[before] !== ".") return { root: name, steps: steps.reverse() };
    steps.push({ field: name });
    end = prevNonBlank(text, before) + 1;
  }
}

/** A constant index (`1`, `0x2`) as the compiler folds it, or undefined for an expression. */
export function constantIndex(s: string): number | undefined {
  return /^(?:0x[0-9a-f]+|[0-9]+)$/i.test(s) ? Number(s) : undefined;
}
