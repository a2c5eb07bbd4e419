/**
 * Compiling a TypeScript file's templates for a CLI command: prints the diagnostics; on
 * errors sets exit status 1 and returns undefined. The compiler and `typescript` load only
 * for the commands that need them.
 */
import type { FileBuild } from "../transformer/plugin/build-file.js";

export async function buildOrReport(file: string): Promise<FileBuild | undefined> {
  const { buildFile } = await import("../transformer/plugin/build-file.js");
  const build = buildFile(file);
  for (const m of build.messages) process.stderr.write(m + "\n");
  if (build.errorCount > 0) {
    process.exitCode = 1;
    return undefined;
  }
  return build;
}
