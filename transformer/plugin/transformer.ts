/**
 * The ts-patch program transformer: `{ "transform": "whistler-ts/transformer" }` in
 * compilerOptions.plugins. Replaces every `bpf` template with its compiled object and
 * reports the compiler's diagnostics at the template's positions in the host file.
 */
import type * as TS from "typescript";
import type { CompileResult } from "../api.js";
import { findTemplates, type TemplateSite } from "./templates.js";
import { compiledCall } from "./emit.js";
import { formatDiagnostic, toTsDiagnostic } from "./diagnostics.js";
import { compileCached } from "./cache.js";
import { loadCompiler } from "./host-typescript.js";
import { planBuild, startBuild, type ParallelBuild } from "./parallel-build.js";
import { noteTurbofanPaused, timed } from "./trace.js";
import { pauseTurbofanForBuild } from "./build-jit.js";
import { declarationTransformer, recordTemplateTypes } from "./declarations.js";
import { structReplacements } from "../structs/plugin.js";

/** What ts-patch passes a program transformer (the subset we use). */
export interface TransformerExtras {
  readonly ts: typeof TS;
  addDiagnostic(diag: TS.Diagnostic): number;
}

export interface WhistlerPluginConfig {
  /** Report warnings as tsc errors (failing the build); by default they are printed only. */
  readonly warningsAsErrors?: boolean;
  /**
   * Keep V8's optimizing compiler (TurboFan) on during a first build. By default the plugin
   * turns it off for the emit of a build of up to 2,000 templates, which it makes faster
   * (plugin/build-jit.ts has the measurements), and on again when the build is done.
   */
  readonly turbofan?: boolean;
}

/**
 * ts-patch uses `before` for the plain entry and `afterDeclarations` for an entry with
 * `"afterDeclarations": true` (which makes exported templates precisely typed in .d.ts files).
 */
export interface WhistlerTransformers {
  readonly before: TS.TransformerFactory<TS.SourceFile>;
  readonly afterDeclarations: TS.TransformerFactory<TS.SourceFile | TS.Bundle>;
}

/** ts-patch's entry: a whole program's emit, whose templates may compile on several threads. */
export default function whistlerTransformer(program: TS.Program, config: WhistlerPluginConfig, extras: TransformerExtras): WhistlerTransformers {
  return createWhistlerTransformers(program, config, extras, { parallel: true });
}

export interface TransformerOptions {
  /**
   * Compile a build's templates on worker threads too (compile-pool.ts), for a program that is
   * emitted whole. Off for callers that transform one file at a time (ts-jest).
   */
  readonly parallel: boolean;
}

export function createWhistlerTransformers(program: TS.Program, config: WhistlerPluginConfig, extras: TransformerExtras, options: TransformerOptions): WhistlerTransformers {
  return { before: templateTransformer(program, config, extras, options), afterDeclarations: declarationTransformer(extras.ts) };
}

function templateTransformer(program: TS.Program, config: WhistlerPluginConfig, extras: TransformerExtras, options: TransformerOptions): TS.TransformerFactory<TS.SourceFile> {
  const ts = extras.ts;
  // Workers first: they load their compiler while this thread loads its own.
  let start = options.parallel ? startBuild(program) : undefined;
  if (start) noteTurbofanPaused(pauseTurbofanForBuild(start.templates, config.turbofan));
  const compiler = loadCompiler(ts);
  const checker = program.getTypeChecker();
  let build: ParallelBuild | undefined;
  return (context) => (sf) =>
    timed("transformMs", () => {
      if (start) {
        build = planBuild(ts, checker, compiler, start);
        start = undefined;
      }
      return transformFile(sf, context);
    });

  function transformFile(sf: TS.SourceFile, context: TS.TransformationContext): TS.SourceFile {
    const sites = build?.sites.get(sf) ?? findTemplates(ts, checker, sf);
    const structs = structReplacements(ts, checker, sf, (d) => extras.addDiagnostic(toTsDiagnostic(ts, sf, d, program)));
    if (sites.length === 0 && structs.size === 0) return sf;
    const results = new Map<TS.Node, { site: TemplateSite; result: CompileResult }>();
    for (const site of sites) {
      const result = compileCached(site.source, (src) => build?.pool?.compile(src) ?? compiler.compileTemplate(src));
      for (const d of result.diagnostics) {
        if (d.severity === "warning" && !config.warningsAsErrors) {
          // tsc exits non-zero on any diagnostic it reports, warnings included: print warnings
          // ourselves so they don't fail the build unless the config asks for that.
          process.stderr.write(formatDiagnostic(sf.fileName, sf.text, d) + "\n");
          continue;
        }
        extras.addDiagnostic(toTsDiagnostic(ts, sf, { ...d, severity: "error" }, program));
      }
      results.set(site.node, { site, result });
      if (site.exportName && result.elf) {
        const maps = new Map(site.source.slots.flatMap((sl) => (sl.value.kind === "map" ? [[sl.value.name, sl.value.map] as const] : [])));
        recordTemplateTypes(sf.fileName, site.exportName, { programs: result.programs.map((p) => p.name), maps });
      }
    }
    // Only subtrees holding a node to replace are rebuilt; the rest of the file is kept as is.
    const targets = [...structs.keys(), ...results.keys()];
    const holdsTarget = (node: TS.Node): boolean => targets.some((t) => t.pos >= node.pos && t.end <= node.end);
    const visit = (node: TS.Node): TS.Node => {
      const struct = structs.get(node);
      if (struct) return struct;
      const hit = results.get(node);
      if (hit?.result.elf) return compiledCall(ts, hit.site, hit.result);
      return holdsTarget(node) ? ts.visitEachChild(node, visit, context) : node;
    };
    return ts.visitEachChild(sf, visit, context);
  }
}
