/**
 * tsserver plugin: `{ "name": "whistler-ts/language-service" }` in compilerOptions.plugins.
 * Inside `bpf` templates it adds the build's diagnostics (same template discovery, same
 * compiler, cached per template: ls-diagnostics.ts), completions (ls-completions.ts) and
 * hover (ls-quickinfo.ts). Everywhere else TypeScript answers alone.
 *
 * tsserver loads plugins with `require`; the `"module.exports"` export makes this ES module
 * return the factory itself to `require` (Node >= 20.19). tsserver resolves the name without
 * package exports, so `language-service/package.json` at the package root points here.
 */
import type * as TS from "typescript";
import { compileTemplate } from "../compile.js";
import { findTemplates } from "./templates.js";
import { toTsDiagnostic } from "./diagnostics.js";
import { templateDiagnostics } from "./ls-diagnostics.js";
import { siteAt, slotAt, type SiteAt } from "./ls-site.js";
import { completionsAt } from "./ls-completions.js";
import { hoverAt } from "./ls-quickinfo.js";
import type { Doc, DocKind } from "./ls-docs.js";
import type { SourceLocation } from "../api.js";

function elementKind(ts: typeof TS, k: DocKind): TS.ScriptElementKind {
  const E = ts.ScriptElementKind;
  const kinds: Record<DocKind, TS.ScriptElementKind> = {
    function: E.functionElement, const: E.constElement, type: E.typeElement, interface: E.interfaceElement,
    property: E.memberVariableElement, method: E.memberFunctionElement, parameter: E.parameterElement,
    let: E.localVariableElement, keyword: E.keyword,
  };
  return kinds[k];
}

function parts(text: string): TS.SymbolDisplayPart[] {
  return text ? [{ text, kind: "text" }] : [];
}

function init(modules: { typescript: typeof TS }): TS.server.PluginModule {
  const ts = modules.typescript;
  return {
    create(info: TS.server.PluginCreateInfo): TS.LanguageService {
      const ls = info.languageService;
      const log = (msg: string): void => info.project.projectService.logger.info(`whistler-ts: ${msg}`);
      const proxy = Object.create(null) as TS.LanguageService;
      for (const k of Object.keys(ls) as (keyof TS.LanguageService)[]) {
        const member = ls[k];
        (proxy as unknown as Record<string, unknown>)[k] =
          typeof member === "function" ? (member as (...a: unknown[]) => unknown).bind(ls) : member;
      }

      /** Runs `fn` on the template at `position`, or returns undefined there and on a bug (logged). */
      const inTemplate = <T>(fileName: string, position: number, fn: (at: SiteAt) => T): T | undefined => {
        try {
          const program = ls.getProgram();
          const at = program && siteAt(ts, program, fileName, position);
          return at ? fn(at) : undefined;
        } catch (err) {
          log(err instanceof Error ? (err.stack ?? err.message) : String(err));
          return undefined;
        }
      };

      proxy.getSemanticDiagnostics = (fileName) => {
        const base = ls.getSemanticDiagnostics(fileName);
        const program = ls.getProgram();
        const sf = program?.getSourceFile(fileName);
        if (!program || !sf) return base;
        try {
          const t0 = performance.now();
          let compiled = 0;
          const sites = findTemplates(ts, program.getTypeChecker(), sf);
          const extra = sites.flatMap((site) => {
            const r = templateDiagnostics(site.source, compileTemplate);
            if (!r.cached) compiled++;
            return r.diagnostics.map((d) => toTsDiagnostic(ts, sf, d, program));
          });
          if (sites.length) log(`diagnostics for ${fileName}: ${sites.length} templates, ${compiled} compiled, ${sites.length - compiled} cached (${(performance.now() - t0).toFixed(1)} ms)`);
          return [...base, ...extra];
        } catch (err) {
          log(err instanceof Error ? (err.stack ?? err.message) : String(err));
          return base;
        }
      };

      proxy.getCompletionsAtPosition = (fileName, position, options, formatting) => {
        const ours = inTemplate(fileName, position, (at): TS.CompletionInfo | null => {
          // Inside `${...}` the code is TypeScript's.
          if (slotAt(at.site, at.offset, false)) return null;
          const c = completionsAt(at);
          const start = at.site.source.start;
          return {
            isGlobalCompletion: false,
            isMemberCompletion: c?.isMember ?? false,
            isNewIdentifierLocation: false,
            optionalReplacementSpan: c ? { start: start + c.prefixStart, length: at.offset - c.prefixStart } : undefined,
            entries: (c?.entries ?? []).map((e) => ({ name: e.name, kind: elementKind(ts, e.doc.kind), kindModifiers: "", sortText: e.sortText })),
          };
        });
        return ours === undefined || ours === null ? ls.getCompletionsAtPosition(fileName, position, options, formatting) : ours;
      };

      proxy.getCompletionEntryDetails = (fileName, position, entryName, formatOptions, source, preferences, data) => {
        const doc = inTemplate(fileName, position, (at): Doc | null => {
          if (slotAt(at.site, at.offset, false)) return null;
          return completionsAt(at)?.entries.find((e) => e.name === entryName)?.doc ?? null;
        });
        if (!doc) return ls.getCompletionEntryDetails(fileName, position, entryName, formatOptions, source, preferences, data);
        return { name: entryName, kind: elementKind(ts, doc.kind), kindModifiers: "", displayParts: parts(doc.display), documentation: parts(doc.documentation), tags: [] };
      };

      proxy.getQuickInfoAtPosition = (fileName, position, maximumLength) => {
        const base = ls.getQuickInfoAtPosition(fileName, position, maximumLength);
        const describe = (loc: SourceLocation): string => {
          const sf = ls.getProgram()?.getSourceFile(loc.fileName);
          if (!sf) return loc.fileName;
          const { line, character } = sf.getLineAndCharacterOfPosition(loc.start);
          return `${loc.fileName}:${line + 1}:${character + 1}`;
        };
        const hover = inTemplate(fileName, position, (at) => {
          const h = hoverAt(at, describe);
          return h ? { h, start: at.site.source.start } : undefined;
        });
        if (!hover) return base;
        const { h, start } = hover;
        if (h.inSlot && base) {
          // TypeScript describes the interpolated expression; we add what BPF code sees.
          const docs = [...parts(`${h.doc.display}\n${h.doc.documentation}`), ...(base.documentation?.length ? [{ text: "\n\n", kind: "lineBreak" }, ...base.documentation] : [])];
          return { ...base, documentation: docs };
        }
        return {
          kind: elementKind(ts, h.doc.kind),
          kindModifiers: "",
          textSpan: { start: start + h.start, length: h.end - h.start },
          displayParts: parts(h.doc.display),
          documentation: parts(h.doc.documentation),
          tags: [],
        };
      };
      return proxy;
    },
  };
}

export { init as "module.exports" };
export default init;
