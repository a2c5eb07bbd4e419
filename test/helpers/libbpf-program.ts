/**
 * C programs linked against libbpf (Debian's libbpf-dev), built for interop tests that load
 * the same objects with libbpf and with our loader.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

/** Compiles `source` into a fresh temporary directory (the caller removes `dir`). */
export function buildLibbpfProgram(source: string, tmpPrefix: string): { dir: string; binary: string } {
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  const binary = join(dir, basename(source, ".c"));
  execFileSync("gcc", ["-O2", "-o", binary, source, "-lbpf"], { stdio: ["ignore", "pipe", "pipe"] });
  return { dir, binary };
}
