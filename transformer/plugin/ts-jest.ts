/**
 * ts-jest adapter: `astTransformers: { before: ["whistler-ts/ts-jest"] }` in the ts-jest
 * options. ts-jest calls `factory(compiler, options)` for every file and exposes the program
 * it compiled with; templates need a type-checked program (the default, language-service
 * mode), not `isolatedModules`. Template errors fail the test file's compilation with the
 * same `file:line:col - error WBPFnnnn` messages as the CLI.
 */
import type * as TS from "typescript";
import { createWhistlerTransformers, type WhistlerPluginConfig } from "./transformer.js";
import { lineCol } from "./diagnostics.js";

export const name = "whistler-ts";
export const version = "1";

/** The part of ts-jest's TsCompiler the adapter uses. */
export interface TsJestCompiler {
  readonly program?: TS.Program;
  readonly configSet: { readonly compilerModule: typeof TS };
  /** ts-jest's language service (not public API): its current program holds the file being emitted. */
  readonly _languageService?: TS.LanguageService;
}

/** The program whose source file is the one being emitted: ts-jest's `program` can be stale. */
function programFor(compiler: TsJestCompiler, sf: TS.SourceFile): TS.Program | undefined {
  const candidates = [compiler._languageService?.getProgram(), compiler.program];
  return candidates.find((p) => p?.getSourceFile(sf.fileName) === sf);
}

export class TemplateCompileError extends Error {}

export function factory(compiler: TsJestCompiler, options: WhistlerPluginConfig = {}): TS.TransformerFactory<TS.SourceFile> {
  const ts = compiler.configSet.compilerModule;
  return (context) => (sf) => {
    const program = programFor(compiler, sf);
    if (!program) return sf;
    const errors: string[] = [];
    const addDiagnostic = (d: TS.Diagnostic): number => {
      if (d.category === ts.DiagnosticCategory.Error && d.file && d.start !== undefined) {
        const { line, col } = lineCol(d.file.text, d.start);
        errors.push(`${d.file.fileName}:${line}:${col} - error ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
      }
      return errors.length;
    };
    const out = createWhistlerTransformers(program, options, { ts, addDiagnostic }, { parallel: false }).before(context)(sf);
    if (errors.length > 0) throw new TemplateCompileError(`bpf template errors:\n${errors.join("\n")}`);
    return out;
  };
}
