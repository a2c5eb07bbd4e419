/**
 * Hover inside `bpf` templates: helper and intrinsic signatures (number, arguments, return
 * type, allowed program types), map method signatures with the map's own key and value
 * types, map declarations on `${map}`, context kinds with their field layout (offset, size),
 * context fields, tracepoint record fields (`ctx.filename`), fields of defstruct locals
 * and nested struct fields through them (`e.pid`, `e.inner.b`), struct locals themselves
 * (`e`), kernel struct fields and KernelStruct locals (ls-kernel.ts), constants and
 * integer types.
 */
import { isScalarName } from "../../runtime/types.js";
import { CTX_KINDS } from "../frontend/ctx.js";
import { helper } from "../frontend/helpers.js";
import { BPF_LOOP } from "../frontend/bpf-loop.js";
import { CONSTANTS, INTRINSICS } from "../frontend/builtins.js";
import type { SourceLocation } from "../api.js";
import {
  bpfLoopDoc, callDocs, constantDoc, ctxFieldDoc, ctxKindDoc, ctxParamDoc, helperDoc, intrinsicDoc, mapMethodDoc, scalarDoc, slotDoc, structFieldDoc, structLocalDoc, tracepointFieldDoc, type Doc,
} from "./ls-docs.js";
import { kernelHover } from "./ls-kernel.js";
import { memberObject, nextNonBlank, prevNonBlank, slotAt, slotNamed, wordAt, type SiteAt } from "./ls-site.js";
import { localStruct, objectLiteralAt, structChainAt } from "./ls-struct-chain.js";
import { tracepointFormat } from "../kernel/tracepoints.js";

export interface Hover {
  readonly doc: Doc;
  /** Template offsets of the hovered text. */
  readonly start: number;
  readonly end: number;
  /** Set when the hovered text is an interpolation (TypeScript has its own hover there). */
  readonly inSlot: boolean;
}

function own<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}

/** `describe` turns a declaration's location into `file:line:col` (the caller has the program). */
export function hoverAt(at: SiteAt, describe: (loc: SourceLocation) => string): Hover | undefined {
  const { site, text, offset } = at;
  const slot = slotAt(site, offset, true);
  if (slot) {
    const v = slot.value;
    const declaredAt = (v.kind === "map" || v.kind === "struct") && v.declaredAt ? describe(v.declaredAt) : undefined;
    return { doc: slotDoc(v, declaredAt), start: slot.start, end: slot.start + slot.length, inSlot: true };
  }
  const w = wordAt(text, offset);
  if (!w) return undefined;
  const word = text.slice(w.start, w.end);
  // A KernelStruct local or parameter shadows the names docFor knows (a helper function's
  // first parameter would otherwise read as a context).
  const doc = kernelHover(text, w.start, w.end) ?? docFor(at, word, w.start);
  return doc ? { doc, start: w.start, end: w.end, inSlot: false } : undefined;
}

/** `start`: the word's template offset, where a member chain (`e.inner.`) before it ends. */
function docFor(at: SiteAt, word: string, start: number): Doc | undefined {
  const prog = at.program;
  // `object` is undefined after `e.pts[1].`: a member, but only a struct chain fits there.
  const object = memberObject(at.text, start);
  if (at.text[prevNonBlank(at.text, start)] === ".") {
    const slot = object === undefined ? undefined : slotNamed(at.site, object);
    if (slot?.value.kind === "map") return mapMethodDoc(slot.value.name, slot.value.map, word);
    if (prog?.ctxKind && object !== undefined && object === prog.ctxName) {
      // A tracepoint's record fields (common_* too: the compiler reads them) from its format.
      const format = prog.tracepoint === undefined ? undefined : tracepointFormat(prog.tracepoint);
      const record = format?.fields.find((f) => f.name === word);
      if (format && record) return tracepointFieldDoc(format.name, record);
      const field = own(prog.ctxKind.fields, word);
      return field ? ctxFieldDoc(prog.ctxKindName ?? "", word, field) : undefined;
    }
    const chain = structChainAt(at, start);
    const member = chain?.layout.fields.find((f) => f.name === word);
    return chain && member ? structFieldDoc(chain, member) : undefined;
  }
  // A key of a struct local's object literal (`{ flag: 1 }`; a shorthand `{ pid }` reads as its value).
  const before = at.text[prevNonBlank(at.text, start)];
  if ((before === "{" || before === ",") && at.text[nextNonBlank(at.text, start + word.length)] === ":") {
    const literal = objectLiteralAt(at, start);
    const field = literal?.layout.fields.find((f) => f.name === word);
    if (literal && field) return structFieldDoc(literal, field);
  }
  if (prog?.ctxName === word) return ctxParamDoc(word, prog.ctxKindName ?? "?", prog.ctxKind);
  // A struct local, at its declaration or a use, shadows helpers and the rest.
  const local = localStruct(at, word);
  if (local) return structLocalDoc(word, local, prog?.nullableLocals.get(word));
  const h = helper(word);
  if (h) return helperDoc(word, h, prog?.ctxKind?.progType);
  if (word === BPF_LOOP) return bpfLoopDoc();
  const call = callDocs(prog?.ctxKind?.progType).get(word) ?? callDocs(undefined).get(word);
  if (call) return call;
  const intrinsic = own(INTRINSICS, word);
  if (intrinsic) return intrinsicDoc(word, intrinsic);
  const c = own(CONSTANTS, word);
  if (c !== undefined) return constantDoc(word, c);
  if (isScalarName(word)) return scalarDoc(word);
  const kind = own(CTX_KINDS, word);
  if (kind) return ctxKindDoc(word, kind);
  return undefined;
}
