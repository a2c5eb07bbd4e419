/**
 * The structs a TypeScript file declares, for `whistler gen`: every exported `defstruct`
 * (evaluated through a type-checked program, like the transformer does), or the errors.
 */
import * as path from "node:path";
import ts from "typescript";
import type * as TS from "typescript";
import type { StructLayout } from "../../runtime/struct/layout.js";
import { compilerOptionsFor } from "../plugin/build-file.js";
import { lineCol } from "../plugin/diagnostics.js";
import { findStructs } from "./evaluate.js";

export interface FileStructs {
  readonly structs: readonly { readonly exportName: string; readonly layout: StructLayout }[];
  /** `file:line:col - error WBPF4001: message` lines. */
  readonly errors: readonly string[];
}

export function structsOfFile(fileName: string): FileStructs {
  const file = path.resolve(fileName);
  const display = path.relative(process.cwd(), file) || file;
  if (!ts.sys.fileExists(file)) return { structs: [], errors: [`${display}: error: no such file`] };
  const program = ts.createProgram([file], { ...compilerOptionsFor(file), noEmit: true });
  const sf = program.getSourceFile(file);
  if (!sf) return { structs: [], errors: [`${display}: error: could not read the file`] };
  const { sites, errors } = findStructs(ts as unknown as typeof TS, program.getTypeChecker(), sf as unknown as TS.SourceFile);
  return {
    structs: sites.flatMap((s) => (s.exportName ? [{ exportName: s.exportName, layout: s.layout }] : [])),
    errors: errors.map((e) => {
      const { line, col } = lineCol(sf.text, e.node.getStart());
      return `${display}:${line}:${col} - error WBPF4001: ${e.message}`;
    }),
  };
}
