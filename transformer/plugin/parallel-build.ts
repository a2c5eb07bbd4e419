/**
 * Planning a build's compiles across threads (compile-pool.ts), in two steps. When the plugin
 * is created, the files that mention the tag are counted and, with enough templates, worker
 * threads start. On the first file tsc emits, every template of the program is found and sent
 * to the workers, which parse and compile from the end of the list while tsc's thread goes on.
 *
 * Only a process's first build is planned: a watch-mode rebuild recompiles the few templates
 * that changed, and finding every template again would cost it more than threads could save.
 */
import type * as TS from "typescript";
import { findTemplates, type TemplateSite } from "./templates.js";
import { cachedResults } from "./cache.js";
import { CompilePool, workerCount } from "./compile-pool.js";
import type { loadCompiler } from "./host-typescript.js";

export interface ParallelBuild {
  /** The templates of each scanned file, found once for both the plan and the file's transform. */
  readonly sites: ReadonlyMap<TS.SourceFile, readonly TemplateSite[]>;
  /** Absent when the build has too few templates to be worth a thread. */
  readonly pool?: CompilePool;
}

/** A first build's files that may hold templates, and the workers started for them. */
export interface BuildStart {
  readonly files: readonly TS.SourceFile[];
  /** Templates the build is expected to compile (tags counted in the files' text). */
  readonly templates: number;
  readonly pool?: CompilePool;
}

/**
 * Step one, as the plugin is created and before tsc's thread loads the compiler: the files
 * that mention the tag, and, sized by counting tags in their text, the workers, which load
 * their compiler meanwhile. Undefined for a rebuild (the cache holds results).
 */
export function startBuild(program: TS.Program): BuildStart | undefined {
  if (cachedResults() > 0) return undefined;
  // Only a file that mentions the tag can hold a template; a file missed here (the tag
  // renamed through a re-export) is simply searched when tsc emits it.
  const files = program.getSourceFiles().filter((sf) => !sf.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sf) && sf.text.includes("bpf"));
  const templates = files.reduce((n, sf) => n + tagsIn(sf.text), 0);
  const workers = workerCount(templates);
  return { files, templates, ...(workers > 0 ? { pool: new CompilePool(workers) } : {}) };
}

/**
 * Step two, on the first file tsc emits, when the others are all still to come: every
 * template found through the type checker and, when workers run, handed to them.
 */
export function planBuild(ts: typeof TS, checker: TS.TypeChecker, compiler: ReturnType<typeof loadCompiler>, start: BuildStart): ParallelBuild {
  const { pool } = start;
  const sites = new Map<TS.SourceFile, readonly TemplateSite[]>();
  const all: TemplateSite[] = [];
  for (const sf of start.files) {
    const found = findTemplates(ts, checker, sf);
    sites.set(sf, found);
    all.push(...found);
  }
  if (!pool) return { sites };
  pool.begin(all.map((site) => site.source), (source) => compiler.compileTemplate(source));
  return { sites, pool };
}

/** Occurrences of "bpf`": an estimate of the templates in a file, for the plan's thread count and JIT policy. */
function tagsIn(text: string): number {
  let n = 0;
  for (let i = text.indexOf("bpf`"); i >= 0; i = text.indexOf("bpf`", i + 4)) n++;
  return n;
}
