/**
 * bpftool for interop tests: found under /usr/sbin or PATH (CI installs it with apt-get).
 * A missing bpftool is a test failure with instructions, never a silent skip.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function findBpftool(): string | undefined {
  const dirs = ["/usr/sbin", "/sbin", "/usr/local/sbin", ...(process.env.PATH ?? "").split(":")];
  for (const d of dirs) {
    if (d && existsSync(join(d, "bpftool"))) return join(d, "bpftool");
  }
  return undefined;
}

export function requireBpftool(): string {
  const b = findBpftool();
  if (!b) throw new Error("bpftool not found under /usr/sbin or PATH; install it (Debian: apt-get install bpftool)");
  return b;
}

/** Runs bpftool; throws with its output on failure. */
export function bpftool(args: readonly string[]): string {
  try {
    return execFileSync(requireBpftool(), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`bpftool ${args.join(" ")} failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  }
}

let counter = 0;

/** A fresh pin directory under bpffs (mounted if needed) and a temp dir for files. */
export function scratch(tag: string): { pinDir: string; tmp: string; cleanup: () => void } {
  if (!existsSync("/sys/fs/bpf")) throw new Error("/sys/fs/bpf does not exist");
  try {
    execFileSync("mountpoint", ["-q", "/sys/fs/bpf"]);
  } catch {
    execFileSync("mount", ["-t", "bpf", "bpf", "/sys/fs/bpf"]);
  }
  const pinDir = `/sys/fs/bpf/whistler-test-${process.pid}-${tag}-${counter++}`;
  const tmp = mkdtempSync(join(tmpdir(), "whistler-interop-"));
  return {
    pinDir,
    tmp,
    cleanup: () => {
      rmSync(pinDir, { recursive: true, force: true });
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export function writeObject(dir: string, name: string, elf: Uint8Array): string {
  const path = join(dir, `${name}.o`);
  writeFileSync(path, elf);
  return path;
}
