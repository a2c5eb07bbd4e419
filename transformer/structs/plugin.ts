/**
 * The transformer's part for structs: every `defstruct(...)` call of a file becomes its
 * compiled class; a call the build cannot evaluate is a WBPF4001 diagnostic at the call
 * (the call is then left as it is and builds its class at run time).
 */
import type * as TS from "typescript";
import type { Diagnostic } from "../api.js";
import { findStructs } from "./evaluate.js";
import { compiledStructCall } from "./emit.js";

export function structReplacements(
  ts: typeof TS, checker: TS.TypeChecker, sf: TS.SourceFile, report: (d: Diagnostic) => void,
): Map<TS.Node, TS.Expression> {
  const out = new Map<TS.Node, TS.Expression>();
  const { sites, errors } = findStructs(ts, checker, sf);
  for (const e of errors) {
    const start = e.node.getStart(sf);
    report({ code: "WBPF4001", severity: "error", start, length: e.node.getEnd() - start, message: e.message });
  }
  for (const site of sites) out.set(site.node, compiledStructCall(ts, site));
  return out;
}
