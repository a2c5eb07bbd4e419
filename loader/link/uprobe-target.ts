/**
 * Naming what a uprobe probes: "path:symbol", "path:symbol+0x10" or "path:0x1234" (a file
 * offset), where the path may be a shared library by name ("libc.so.6", "c"), found through
 * the traced process's memory map, `ldconfig -p`, then the standard library directories.
 * The parsers are pure; the lookups read /proc and run ldconfig.
 */
import { execFileSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, delimiter, isAbsolute, join } from "node:path";
import { arch } from "node:process";
import { WhistlerError } from "../../runtime/errors.js";

export interface UprobeSpec {
  /** Binary or library as written: a path or a library name. */
  readonly binary: string;
  readonly symbol?: string;
  /** With a symbol: bytes past its start; without: the file offset to probe. */
  readonly offset: number;
}

const NUMBER = /^(0x[0-9a-f]+|\d+)$/i;

/** Parse "binary:symbol[+off]" or "binary:offset". */
export function parseUprobeSpec(text: string): UprobeSpec {
  const colon = text.lastIndexOf(":");
  const bad = (why: string): WhistlerError => new WhistlerError(`bad uprobe target "${text}": ${why}`, {
    hint: 'write "path:symbol", "path:symbol+0x10" or "path:0x1234" (a file offset); the path may be a library name such as "libc.so.6" or "c"',
  });
  if (colon <= 0 || colon === text.length - 1) throw bad("expected binary:symbol or binary:offset");
  const binary = text.slice(0, colon);
  const what = text.slice(colon + 1);
  if (NUMBER.test(what)) return { binary, offset: Number(what) };
  const m = /^([A-Za-z_.$][\w.$@]*)(?:\+(0x[0-9a-f]+|\d+))?$/i.exec(what);
  if (!m) throw bad(`"${what}" is neither a symbol name nor an offset`);
  return { binary, symbol: m[1]!, offset: m[2] ? Number(m[2]) : 0 };
}

/** Does a library file name match what the user wrote ("c", "libc", "libc.so.6")? */
export function libraryMatches(file: string, want: string): boolean {
  if (want.includes(".so")) return file === want || file.startsWith(`${want}.`);
  const stem = want.startsWith("lib") ? want : `lib${want}`;
  return file === `${stem}.so` || file.startsWith(`${stem}.so.`);
}

/** Paths of files mapped into a process, from /proc/<pid>/maps text. */
export function mappedFiles(mapsText: string): string[] {
  const out = new Set<string>();
  for (const line of mapsText.split("\n")) {
    const m = /^\S+\s+\S+\s+\S+\s+\S+\s+\d+\s+(\/.*)$/.exec(line);
    if (m && !m[1]!.endsWith(" (deleted)")) out.add(m[1]!);
  }
  return [...out];
}

const LDCONFIG_ARCH: Readonly<Record<string, string>> = { x64: "x86-64", arm64: "AArch64", ppc64: "64bit", s390x: "64bit", riscv64: "64bit", loong64: "64bit" };

/** Library paths from `ldconfig -p` output, this architecture's first. */
export function ldconfigEntries(text: string, archName: string = arch): { name: string; path: string }[] {
  const mine: { name: string; path: string }[] = [];
  const other: { name: string; path: string }[] = [];
  const tag = LDCONFIG_ARCH[archName];
  for (const line of text.split("\n")) {
    const m = /^\s+(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    (tag && m[2]!.includes(tag) ? mine : other).push({ name: m[1]!, path: m[3]! });
  }
  return [...mine, ...other];
}

const LIB_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib"];

function fromMaps(want: string, pid: number | undefined): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid ?? "self"}/maps`, "utf8");
    return mappedFiles(text).find((p) => libraryMatches(basename(p), want));
  } catch {
    return undefined;
  }
}

function fromLdconfig(want: string): string | undefined {
  for (const cmd of ["ldconfig", "/sbin/ldconfig"]) {
    try {
      const text = execFileSync(cmd, ["-p"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      return ldconfigEntries(text).find((e) => libraryMatches(e.name, want))?.path;
    } catch {
      // try the next spelling, then the directories
    }
  }
  return undefined;
}

function fromDirs(want: string): string | undefined {
  for (const dir of LIB_DIRS) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    const hit = names.filter((n) => libraryMatches(n, want)).sort((a, b) => a.length - b.length)[0];
    if (hit) return join(dir, hit);
  }
  return undefined;
}

function fromPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The bytes of a probed binary; a file that cannot be read is a WhistlerError naming it. */
export function readBinary(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new WhistlerError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
  }
}

/** The file a uprobe's binary names: a path as is, a library by name, or a command on PATH. */
export function resolveBinary(binary: string, pid?: number): string {
  if (binary.includes("/")) {
    if (!existsSync(binary)) throw new WhistlerError(`uprobe binary ${binary} does not exist`, { hint: "give an absolute path to an executable or shared library" });
    return isAbsolute(binary) ? binary : join(process.cwd(), binary);
  }
  const found = fromMaps(binary, pid) ?? fromLdconfig(binary) ?? fromDirs(binary) ?? fromPath(binary);
  if (!found) {
    throw new WhistlerError(`cannot find library or program "${binary}"`, {
      hint: `looked in /proc/${pid ?? "self"}/maps, ldconfig -p, ${LIB_DIRS.slice(0, 2).join(", ")}, ... and PATH; give an absolute path`,
    });
  }
  return found;
}
