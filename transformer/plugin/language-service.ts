/**
 * tsserver plugin: `{ "name": "whistler-ts/language-service" }` in compilerOptions.plugins.
 * Adds the compiler's diagnostics for `bpf` templates to the editor's semantic diagnostics,
 * from the same template discovery and compiler as the build, so editor and tsc agree.
 *
 * tsserver loads plugins with `require`; the `"module.exports"` export makes this ES module
 * return the factory itself to `require` (Node >= 20.19).
 */
import type * as TS from "typescript";
import { compileTemplate } from "../compile.js";
import { findTemplates } from "./templates.js";
import { toTsDiagnostic } from "./diagnostics.js";
import { compileCached } from "./cache.js";

function init(modules: { typescript: typeof TS }): TS.server.PluginModule {
  const ts = modules.typescript;
  return {
    create(info: TS.server.PluginCreateInfo): TS.LanguageService {
      const ls = info.languageService;
      const proxy = Object.create(null) as TS.LanguageService;
      for (const k of Object.keys(ls) as (keyof TS.LanguageService)[]) {
        const member = ls[k];
        (proxy as unknown as Record<string, unknown>)[k] =
          typeof member === "function" ? (member as (...a: unknown[]) => unknown).bind(ls) : member;
      }
      proxy.getSemanticDiagnostics = (fileName: string): TS.Diagnostic[] => {
        const base = ls.getSemanticDiagnostics(fileName);
        const program = ls.getProgram();
        const sf = program?.getSourceFile(fileName);
        if (!program || !sf) return base;
        try {
          const extra = findTemplates(ts, program.getTypeChecker(), sf).flatMap((site) =>
            compileCached(site.source, compileTemplate).diagnostics.map((d) => toTsDiagnostic(ts, sf, d, program)),
          );
          return [...base, ...extra];
        } catch (err) {
          info.project.projectService.logger.info(`whistler-ts: ${err instanceof Error ? err.stack : String(err)}`);
          return base;
        }
      };
      return proxy;
    },
  };
}

export { init as "module.exports" };
export default init;
