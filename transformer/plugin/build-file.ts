/**
 * Compiling the `bpf` templates of one TypeScript file outside tsc (for `whistler build`
 * and `whistler disasm FILE.ts`): a type-checked program over the file and its imports,
 * using the nearest tsconfig.json, then the same template discovery as the plugin.
 */
import * as path from "node:path";
// `import = require` loads the 9 MB CommonJS module through require: an ESM import makes Node
// scan all of it for named exports first (~0.6 s of every build).
import ts = require("typescript");
import type * as TS from "typescript";
import type { CompileResult, Diagnostic, TemplateSource } from "../api.js";
import { compileTemplate } from "../compile.js";
import { findTemplates } from "./templates.js";
import { formatDiagnostic } from "./diagnostics.js";

export interface BuiltTemplate {
  /** Name of the exported const, or undefined for templates not exported. */
  readonly exportName: string | undefined;
  /** What the compiler was given: the template text and its resolved interpolations (maps, structs). */
  readonly source: TemplateSource;
  readonly result: CompileResult;
}

export interface FileBuild {
  readonly templates: readonly BuiltTemplate[];
  /** Formatted `file:line:col - error WBPFnnnn: message` lines (and TypeScript's own errors). */
  readonly messages: readonly string[];
  readonly errorCount: number;
}

export function compilerOptionsFor(file: string): ts.CompilerOptions {
  const configPath = ts.findConfigFile(path.dirname(file), (f) => ts.sys.fileExists(f));
  const defaults: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, skipLibCheck: true,
  };
  if (!configPath) return defaults;
  const cfg = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
  if (cfg.error) return defaults;
  return ts.parseJsonConfigFileContent(cfg.config, ts.sys, path.dirname(configPath)).options;
}

export function buildFile(fileName: string): FileBuild {
  const file = path.resolve(fileName);
  const display = path.relative(process.cwd(), file) || file;
  if (!ts.sys.fileExists(file)) {
    return { templates: [], messages: [`${display}: error: no such file`], errorCount: 1 };
  }
  const options = { ...compilerOptionsFor(file), noEmit: true };
  const program = ts.createProgram([file], options);
  const sf = program.getSourceFile(file);
  if (!sf) return { templates: [], messages: [`${display}: error: could not read the file`], errorCount: 1 };
  const messages: string[] = [];
  let errorCount = 0;
  const report = (d: Diagnostic): void => {
    messages.push(formatDiagnostic(display, sf.text, d));
    if (d.severity === "error") errorCount++;
  };
  // Same module object; the ESM namespace type merely adds a synthesized `default`.
  const templates = findTemplates(ts as unknown as typeof TS, program.getTypeChecker(), sf).map((site) => {
    const result = compileTemplate(site.source);
    result.diagnostics.forEach(report);
    return { exportName: site.exportName, source: site.source, result };
  });
  return { templates, messages, errorCount };
}
