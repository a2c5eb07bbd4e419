/**
 * The benchmark compares against clang, llvm-objdump, bpftool, libbpf and gcc-built C. On a
 * fresh machine it installs the missing Debian packages with apt-get first and says so
 * (benchmark only: none of them is a dependency of the product).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd} || test -x /usr/sbin/${cmd}`], { stdio: "ignore" }).status === 0;
}

/** Debian packages the benchmark needs that this machine lacks. */
export function missingPackages(): string[] {
  const missing: string[] = [];
  if (!hasCommand("clang")) missing.push("clang");
  if (!hasCommand("llvm-objdump")) missing.push("llvm");
  if (!hasCommand("bpftool")) missing.push("bpftool");
  if (!existsSync("/usr/include/bpf/libbpf.h")) missing.push("libbpf-dev");
  if (!hasCommand("gcc")) missing.push("gcc");
  return missing;
}

export function ensureBenchPackages(): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  process.stderr.write(`bench: installing ${missing.join(", ")} with apt-get (for the side-by-side comparisons only)\n`);
  execFileSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"] });
  execFileSync("apt-get", ["install", "-y", "-qq", ...missing], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}
