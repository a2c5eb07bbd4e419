/**
 * Planning a build's compiles across threads (compile-pool.ts). On the first file of a
 * program's emit, every template of the program is found and parsed; with enough of them,
 * worker threads start compiling from the end of the list while tsc's thread goes on.
 *
 * Only a process's first build is planned: a watch-mode rebuild recompiles the few templates
 * that changed, and finding every template again would cost it more than threads could save.
 */
import type * as TS from "typescript";
import { findTemplates, type TemplateSite } from "./templates.js";
import { cachedResults } from "./cache.js";
import { CompilePool, workerCount } from "./compile-pool.js";
import type { PoolJob } from "./compile-jobs.js";
import type { loadCompiler } from "./host-typescript.js";

export interface ParallelBuild {
  /** The templates of each scanned file, found once for both the plan and the file's transform. */
  readonly sites: ReadonlyMap<TS.SourceFile, readonly TemplateSite[]>;
  /** Absent when the build has too few templates to be worth a thread. */
  readonly pool?: CompilePool;
}

export function planParallelBuild(ts: typeof TS, program: TS.Program, checker: TS.TypeChecker, compiler: ReturnType<typeof loadCompiler>): ParallelBuild | undefined {
  if (cachedResults() > 0) return undefined;
  // Only a file that mentions the tag can hold a template; a file missed here (the tag
  // renamed through a re-export) is simply searched when tsc emits it.
  const files = program.getSourceFiles().filter((sf) => !sf.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sf) && sf.text.includes("bpf"));
  // Workers start first, sized by counting tags in the text: they load the compiler while
  // this thread finds the templates through the type checker and parses them.
  const workers = workerCount(files.reduce((n, sf) => n + tagsIn(sf.text), 0));
  const pool = workers > 0 ? new CompilePool(workers, (job) => compiler.compileParsed(job.source, job.template)) : undefined;
  const sites = new Map<TS.SourceFile, readonly TemplateSite[]>();
  const jobs: PoolJob[] = [];
  for (const sf of files) {
    const found = findTemplates(ts, checker, sf);
    sites.set(sf, found);
    if (!pool) continue;
    for (const site of found) {
      const parsed = compiler.parseSource(site.source);
      // A template with parse diagnostics is compiled on tsc's thread, whole, as usual.
      if ("template" in parsed) jobs.push({ source: site.source, template: parsed.template });
    }
  }
  pool?.submit(jobs);
  return { sites, ...(pool ? { pool } : {}) };
}

/** Occurrences of "bpf`" (an estimate of the templates in a file: the plan's thread count only). */
function tagsIn(text: string): number {
  let n = 0;
  for (let i = text.indexOf("bpf`"); i >= 0; i = text.indexOf("bpf`", i + 4)) n++;
  return n;
}
