import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseUsdtArg, parseUsdtArgs, type UsdtArg } from "../../loader/link/usdt-args.js";
import { readUsdtProbes, type UsdtProbe } from "../../loader/link/usdt-notes.js";
import { ElfError, NotSupportedError, WhistlerError } from "../../runtime/errors.js";

// ---------------------------------------------------------------- argument specs (pure)

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

const arg = (spec: Partial<UsdtArg>): UsdtArg => ({ kind: "reg", value: 0n, regOffset: 0, register: "", size: 8, signed: false, ...spec });

describe("USDT argument specs (x86-64)", () => {
  test("immediates: decimal, negative, hex, full 64-bit", () => {
    expect(parseUsdtArg("-4@$42")).toEqual(arg({ kind: "const", value: 42n, size: 4, signed: true }));
    expect(parseUsdtArg("-4@$-7")).toEqual(arg({ kind: "const", value: -7n, size: 4, signed: true }));
    expect(parseUsdtArg("8@$0x10")).toEqual(arg({ kind: "const", value: 16n }));
    expect(parseUsdtArg("1@$0")).toEqual(arg({ kind: "const", value: 0n, size: 1 }));
    expect(parseUsdtArg("8@$0xffffffffffffffff")).toEqual(arg({ kind: "const", value: (1n << 64n) - 1n }));
    expect(parseUsdtArg("-8@$-9223372036854775808")).toEqual(arg({ kind: "const", value: -(1n << 63n), signed: true }));
  });

  test("registers: every name maps to its full register's pt_regs offset", () => {
    const offsets: Record<string, number> = {
      r15: 0, r15d: 0, r15w: 0, r15b: 0, r14: 8, r14d: 8, r14w: 8, r14b: 8, r13: 16, r13d: 16, r13w: 16, r13b: 16,
      r12: 24, r12d: 24, r12w: 24, r12b: 24, rbp: 32, ebp: 32, bp: 32, bpl: 32, rbx: 40, ebx: 40, bx: 40, bl: 40,
      r11: 48, r11d: 48, r11w: 48, r11b: 48, r10: 56, r10d: 56, r10w: 56, r10b: 56, r9: 64, r9d: 64, r9w: 64, r9b: 64,
      r8: 72, r8d: 72, r8w: 72, r8b: 72, rax: 80, eax: 80, ax: 80, al: 80, rcx: 88, ecx: 88, cx: 88, cl: 88,
      rdx: 96, edx: 96, dx: 96, dl: 96, rsi: 104, esi: 104, si: 104, sil: 104, rdi: 112, edi: 112, di: 112, dil: 112,
      rsp: 152, esp: 152, sp: 152, spl: 152,
    };
    for (const [register, regOffset] of Object.entries(offsets)) {
      expect(parseUsdtArg(`-2@%${register}`)).toEqual(arg({ kind: "reg", register, regOffset, size: 2, signed: true }));
    }
    expect(parseUsdtArg("8@%rbp")).toEqual(arg({ register: "rbp", regOffset: 32 }));
    expect(parseUsdtArg("1@%dl")).toEqual(arg({ register: "dl", regOffset: 96, size: 1 }));
  });

  test("memory: displacement (decimal, hex, negative) or none, off a register", () => {
    expect(parseUsdtArg("8@-24(%rbp)")).toEqual(arg({ kind: "reg_deref", value: -24n, register: "rbp", regOffset: 32 }));
    expect(parseUsdtArg("-4@112(%rsp)")).toEqual(arg({ kind: "reg_deref", value: 112n, register: "rsp", regOffset: 152, size: 4, signed: true }));
    expect(parseUsdtArg("8@0x10(%rsp)")).toEqual(arg({ kind: "reg_deref", value: 16n, register: "rsp", regOffset: 152 }));
    expect(parseUsdtArg("8@-0x10(%r12)")).toEqual(arg({ kind: "reg_deref", value: -16n, register: "r12", regOffset: 24 }));
    expect(parseUsdtArg("1@(%r8)")).toEqual(arg({ kind: "reg_deref", value: 0n, register: "r8", regOffset: 72, size: 1 }));
    expect(parseUsdtArg("1@3(%r8)")).toEqual(arg({ kind: "reg_deref", value: 3n, register: "r8", regOffset: 72, size: 1 }));
  });

  test("a whole argument string splits on whitespace", () => {
    expect(parseUsdtArgs("")).toEqual([]);
    expect(parseUsdtArgs("  \t")).toEqual([]);
    expect(parseUsdtArgs("8@%rbp 8@%r12 -4@%eax").map((a) => [a.register, a.regOffset, a.size, a.signed])).toEqual([
      ["rbp", 32, 8, false], ["r12", 24, 8, false], ["eax", 80, 4, true],
    ]);
    expect(parseUsdtArgs(" -4@$1\t8@-8(%rbp) ").map((a) => a.kind)).toEqual(["const", "reg_deref"]);
  });

  test("unsupported forms are NotSupportedErrors quoting the spec and saying what", () => {
    const unsupported: [string, RegExp][] = [
      ["1@%ah", /high-byte register %ah/],
      ["-1@%bh", /high-byte register %bh/],
      ["1@%ch", /high-byte register %ch/],
      ["1@-3(%dh)", /high-byte register %dh/],
      ["8@8(%rax,%rbx,4)", /index\/scale/],
      ["-4@(%rax,%rcx)", /index\/scale/],
      ["8@(,%rax,8)", /index\/scale/],
      ["-4@counter(%rip)", /relative to symbol "counter"/],
      ["8@16(%rip)", /%rip-relative operands are not supported/],
      ["8@%rip", /%rip-relative operands are not supported/],
      ["8@table+8(%rip)", /relative to symbol "table\+8"/],
      ["8@$buffer", /immediate naming a symbol/],
      ["%eax", /has no size/],
      ["3@%eax", /size "3" is not one of 1, 2, 4, 8/],
      ["16@%rax", /size "16"/],
      ["0@%rax", /size "0"/],
      ["x@%rax", /size "x"/],
      ["@%rax", /size ""/],
      ["8@%xmm0", /%xmm0 is not an x86-64 general-purpose register/],
      ["4@%eip", /%eip is not/],
    ];
    for (const [spec, why] of unsupported) {
      const e = thrown(() => parseUsdtArg(spec));
      expect(e).toBeInstanceOf(NotSupportedError);
      expect(e.message).toContain(`"${spec}"`);
      expect(e.message).toMatch(why);
    }
    expect(() => parseUsdtArgs("8@%rdi 1@%ah")).toThrow(NotSupportedError);
  });

  test("other unparseable specs are WhistlerErrors quoting the spec", () => {
    for (const spec of ["8@", "8@$", "8@$12abc", "8@12", "8@(%)", "8@(rax)", "8@%fs:0x28", "8@-(%rax)", "8@$99999999999999999999999"]) {
      const e = thrown(() => parseUsdtArg(spec));
      expect(e).toBeInstanceOf(WhistlerError);
      expect(e).not.toBeInstanceOf(NotSupportedError);
      expect(e.message).toContain(`"${spec}"`);
    }
  });
});

// ---------------------------------------------------------------- notes of gcc-built files

/** Two translation units: _SDT_HAS_SEMAPHORES makes every probe of its unit need a semaphore. */
const MAIN_C = `
#include <sys/sdt.h>
volatile int sink;
long guarded(long a);
static inline __attribute__((always_inline)) void twice(int v) { DTRACE_PROBE1(demo, inlined, v); }
__attribute__((noinline)) long work(long a, int b, short c, char d, unsigned char *p) {
  STAP_PROBE(demo, noargs);
  STAP_PROBE1(demo, constant, 42);
  STAP_PROBE2(demo, consts, -7, (unsigned long)0x10);
  DTRACE_PROBE5(demo, regs, a, b, c, d, p);
  long local = a * 3 + b;
  STAP_PROBE3(demo, memory, local, p[3], *p);
  STAP_PROBE1(demo, global, sink);
  twice(b);
  twice(b * 5);
  return local + guarded(a);
}
int main(int argc, char **argv) {
  unsigned char buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  (void)argv;
  return (int)work(argc, argc + 1, (short)argc, (char)argc, buf);
}
`;

const SEMA_C = `
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
unsigned short demo_guarded_semaphore __attribute__((unused)) __attribute__((section(".probes")));
__attribute__((noinline)) long guarded(long a) {
  if (demo_guarded_semaphore) STAP_PROBE1(demo, guarded, a);
  return a + 1;
}
`;

const LIB_C = `
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
unsigned short libdemo_call_semaphore __attribute__((unused)) __attribute__((section(".probes")));
int libdemo_call(int x, const char *s) {
  if (libdemo_call_semaphore) STAP_PROBE2(libdemo, call, x, s);
  return x + s[0];
}
`;

const PLAIN_C = "int main(void) { return 0; }\n";

function sdtUnavailableReason(): string | undefined {
  try {
    execFileSync("gcc", ["-E", "-x", "c", "-", "-o", "/dev/null"], { input: "#include <sys/sdt.h>\n", stdio: ["pipe", "ignore", "pipe"] });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? "").trim().split("\n")[0];
    return `gcc cannot include <sys/sdt.h> (${stderr || (e as Error).message})`;
  }
  try {
    execFileSync("readelf", ["--version"], { stdio: "ignore" });
  } catch {
    return "readelf (binutils) is not installed";
  }
  return undefined;
}

/** `describe` for suites that build SDT fixtures: skips loudly, fails under CI=true. */
function describeWithSdt(name: string, fn: () => void): void {
  const reason = sdtUnavailableReason();
  if (reason === undefined) {
    describe(name, fn);
  } else if (process.env.CI === "true") {
    describe(name, () => {
      test(`<sys/sdt.h> available (CI=true forbids skipping: ${reason})`, () => {
        throw new Error(`suite "${name}" cannot run: ${reason}. Install systemtap-sdt-dev (apt-get install systemtap-sdt-dev).`);
      });
    });
  } else {
    process.stderr.write(`\n*** SKIPPING "${name}": ${reason} (install systemtap-sdt-dev to run it) ***\n`);
    describe.skip(name, fn);
  }
}

// The oracle: binutils' readelf, whose output is parsed here without the code under test.

function readelf(args: string[], path: string): string {
  return execFileSync("readelf", [...args, path], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
}

interface ReadelfNote {
  provider: string;
  name: string;
  location: number;
  base: number;
  semaphore: number;
  args: string;
}

function readelfNotes(path: string): ReadelfNote[] {
  const out: ReadelfNote[] = [];
  let inStapsdt = false;
  for (const line of readelf(["-n", "--wide"], path).split("\n")) {
    const section = /^Displaying notes found in: (\S+)/.exec(line);
    if (section) inStapsdt = section[1] === ".note.stapsdt";
    if (!inStapsdt) continue;
    const provider = /Provider: (\S+)/.exec(line);
    if (provider) out.push({ provider: provider[1]!, name: "", location: -1, base: -1, semaphore: -1, args: "" });
    const note = out[out.length - 1];
    if (!note) continue;
    const name = /^\s+Name: (\S+)/.exec(line);
    if (name) note.name = name[1]!;
    const loc = /Location: (0x[0-9a-f]+), Base: (0x[0-9a-f]+), Semaphore: (0x[0-9a-f]+)/.exec(line);
    if (loc) [note.location, note.base, note.semaphore] = [Number(loc[1]), Number(loc[2]), Number(loc[3])];
    const args = /^\s+Arguments:(.*)$/.exec(line);
    if (args) note.args = args[1]!.trim();
  }
  return out;
}

interface Segment { offset: number; vaddr: number; memsz: number }

function readelfLoads(path: string): Segment[] {
  const out: Segment[] = [];
  for (const m of readelf(["-lW"], path).matchAll(/^\s*LOAD\s+(0x\S+)\s+(0x\S+)\s+0x\S+\s+0x\S+\s+(0x\S+)/gm)) {
    out.push({ offset: Number(m[1]), vaddr: Number(m[2]), memsz: Number(m[3]) });
  }
  return out;
}

interface SectionRow { index: number; address: number; offset: number; size: number }

function readelfSection(path: string, name: string): SectionRow | undefined {
  const m = new RegExp(`\\[\\s*(\\d+)\\]\\s+${name.replace(/\./g, "\\.")}\\s+\\S+\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)`).exec(readelf(["-SW"], path));
  return m ? { index: Number(m[1]), address: parseInt(m[2]!, 16), offset: parseInt(m[3]!, 16), size: parseInt(m[4]!, 16) } : undefined;
}

function fileOffset(segments: readonly Segment[], address: number): number {
  const seg = segments.find((s) => address >= s.vaddr && address < s.vaddr + s.memsz);
  if (!seg) throw new Error(`oracle: 0x${address.toString(16)} is in no LOAD segment`);
  return address - seg.vaddr + seg.offset;
}

type ProbeFields = Omit<UsdtProbe, "args">;

function expectedProbes(path: string): ProbeFields[] {
  const segments = readelfLoads(path);
  const base = readelfSection(path, ".stapsdt.base");
  return readelfNotes(path).map((n) => {
    const address = base ? n.location + base.address - n.base : n.location;
    return {
      provider: n.provider, name: n.name, address, offset: fileOffset(segments, address),
      semaphoreOffset: n.semaphore === 0 ? 0 : fileOffset(segments, n.semaphore), argText: n.args,
    };
  });
}

const fields = (p: UsdtProbe): ProbeFields => ({
  provider: p.provider, name: p.name, address: p.address, offset: p.offset, semaphoreOffset: p.semaphoreOffset, argText: p.argText,
});

/** Probes read from `path`, checked field by field against readelf. */
function checkedProbes(path: string): UsdtProbe[] {
  const probes = readUsdtProbes(readFileSync(path));
  const expected = expectedProbes(path);
  expect(expected.length).toBeGreaterThan(0);
  expect(probes.map(fields)).toEqual(expected);
  return probes;
}

const named = (probes: readonly UsdtProbe[], name: string): UsdtProbe[] => probes.filter((p) => p.name === name);

function one(probes: readonly UsdtProbe[], name: string): UsdtProbe {
  const found = named(probes, name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Offsets of each note in .note.stapsdt, walked with the gABI layout (4-byte padding). */
function noteOffsets(bytes: Uint8Array, path: string): number[] {
  const sec = readelfSection(path, ".note.stapsdt")!;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pad = (n: number): number => (n + 3) & ~3;
  const out: number[] = [];
  for (let o = sec.offset; o < sec.offset + sec.size; o += 12 + pad(v.getUint32(o, true)) + pad(v.getUint32(o + 4, true))) out.push(o);
  return out;
}

/** A copy of `bytes` with the little-endian value of `width` bytes at `at` replaced. */
function patched(bytes: Uint8Array, at: number, value: number | bigint, width: 1 | 2 | 4 | 8): Uint8Array {
  const copy = new Uint8Array(bytes);
  const v = new DataView(copy.buffer);
  if (width === 1) v.setUint8(at, Number(value));
  else if (width === 2) v.setUint16(at, Number(value), true);
  else if (width === 4) v.setUint32(at, Number(value), true);
  else v.setBigUint64(at, BigInt(value), true);
  return copy;
}

function elfError(fn: () => unknown): ElfError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(ElfError);
  return e as ElfError;
}

describeWithSdt("USDT notes of gcc-built files, checked against readelf", () => {
  let dir = "";
  const file = (name: string): string => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "wh-usdt-"));
    for (const [name, text] of [["main.c", MAIN_C], ["sema.c", SEMA_C], ["lib.c", LIB_C], ["plain.c", PLAIN_C]] as const) writeFileSync(file(name), text);
    const gcc = (...args: string[]): void => void execFileSync("gcc", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    // -O0 keeps arguments in stack slots (memory operands); -no-pie makes vaddr != file offset.
    gcc("-O0", "-no-pie", "-o", "demo-O0", "main.c", "sema.c");
    gcc("-O2", "-o", "demo-O2", "main.c", "sema.c");
    gcc("-O2", "-shared", "-fPIC", "-o", "libdemo.so", "lib.c");
    gcc("-O2", "-o", "plain", "plain.c");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("-O0, non-PIE: every probe matches readelf; arguments live in stack slots", () => {
    const probes = checkedProbes(file("demo-O0"));
    expect(probes.some((p) => p.offset !== p.address)).toBe(true);
    expect(one(probes, "noargs").argText).toBe("");
    expect(one(probes, "noargs").args).toEqual([]);
    expect(one(probes, "constant").args).toEqual([arg({ kind: "const", value: 42n, size: 4, signed: true })]);
    expect(one(probes, "consts").args).toEqual([
      arg({ kind: "const", value: -7n, size: 4, signed: true }),
      arg({ kind: "const", value: 16n, size: 8, signed: false }),
    ]);
    // long, int, short, char, unsigned char *: sizes and signedness come from the C types.
    const regs = one(probes, "regs").args;
    expect(regs.map((a) => [a.size, a.signed])).toEqual([[8, true], [4, true], [2, true], [1, true], [8, false]]);
    for (const a of regs) {
      expect(a).toMatchObject({ kind: "reg_deref", register: "rbp", regOffset: 32 });
      expect(a.value).toBeLessThan(0n);
    }
    expect(one(probes, "guarded").semaphoreOffset).not.toBe(0);
  });

  test("-O2, PIE: registers, memory through a pointer, a global (unsupported, but only for that probe)", () => {
    const probes = checkedProbes(file("demo-O2"));
    const regs = one(probes, "regs").args;
    expect(regs.map((a) => [a.kind, a.size, a.signed])).toEqual([["reg", 8, true], ["reg", 4, true], ["reg", 2, true], ["reg", 1, true], ["reg", 8, false]]);
    const [, third, first] = one(probes, "memory").args;
    expect(third).toMatchObject({ kind: "reg_deref", value: 3n, size: 1, signed: false });
    expect(first).toMatchObject({ kind: "reg_deref", value: 0n, size: 1, signed: false, register: third!.register });
    // gcc writes the global as sink(%rip): the file still reads, that probe's arguments do not.
    const global = one(probes, "global");
    expect(global.argText).toBe("-4@sink(%rip)");
    const e = thrown(() => global.args);
    expect(e).toBeInstanceOf(NotSupportedError);
    expect(e.message).toMatch(/USDT probe demo:global at 0x[0-9a-f]+: USDT argument "-4@sink\(%rip\)": .*symbol "sink"/);
  });

  test("an always_inline function's probe has one note per call site", () => {
    for (const bin of ["demo-O0", "demo-O2"]) {
      const sites = named(readUsdtProbes(readFileSync(file(bin))), "inlined");
      expect(sites).toHaveLength(2);
      expect(new Set(sites.map((s) => s.offset)).size).toBe(2);
      for (const s of sites) expect(s.args).toMatchObject([{ size: 4, signed: true }]);
    }
  });

  test("a semaphore's offset is its .probes slot in the file", () => {
    for (const bin of ["demo-O0", "demo-O2", "libdemo.so"]) {
      const probes = checkedProbes(file(bin));
      const probesSection = readelfSection(file(bin), ".probes")!;
      const guarded = probes.filter((p) => p.semaphoreOffset !== 0);
      expect(guarded).toHaveLength(1);
      expect(guarded[0]!.semaphoreOffset).toBe(probesSection.offset);
      expect(probes.filter((p) => p.semaphoreOffset === 0)).toHaveLength(bin === "libdemo.so" ? 0 : probes.length - 1);
    }
  });

  test("a shared library", () => {
    const [call] = checkedProbes(file("libdemo.so"));
    expect(call).toMatchObject({ provider: "libdemo", name: "call" });
    expect(call!.args.map((a) => [a.size, a.signed])).toEqual([[4, true], [8, false]]);
  });

  test("a file without SDT notes has no probes", () => {
    expect(readelfSection(file("plain"), ".note.stapsdt")).toBeUndefined();
    expect(readUsdtProbes(readFileSync(file("plain")))).toEqual([]);
  });

  test("a prelinked file: the probe moves as far as .stapsdt.base moved", () => {
    const path = file("demo-O0");
    const bytes = readFileSync(path);
    const [first] = noteOffsets(bytes, path);
    const before = readelfNotes(path)[0]!;
    // The note's link-time base is 0x20 lower than the section's address: prelink moved it up.
    const moved = readUsdtProbes(patched(bytes, first! + 20 + 8, before.base - 0x20, 8))[0]!;
    const original = readUsdtProbes(bytes)[0]!;
    expect(moved.address).toBe(before.location + 0x20);
    expect(moved.offset).toBe(original.offset + 0x20);
  });

  describe("malformed files end in an ElfError", () => {
    let bytes: Uint8Array = new Uint8Array();
    let path = "";
    let notes: number[] = [];
    beforeAll(() => {
      path = file("demo-O2");
      bytes = readFileSync(path);
      notes = noteOffsets(bytes, path);
    });

    test("a truncated note section", () => {
      const sec = readelfSection(path, ".note.stapsdt")!;
      const shoff = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(40, true));
      const e = elfError(() => readUsdtProbes(patched(bytes, shoff + sec.index * 64 + 32, sec.size - 5, 8)));
      expect(e.section).toBe(".note.stapsdt");
      expect(e.message).toMatch(/runs past the end/);
    });

    test("a bad namesz, a name that is not stapsdt, a wrong note type", () => {
      expect(elfError(() => readUsdtProbes(patched(bytes, notes[0]!, 9, 4))).message).toMatch(/note owner is not "stapsdt" \(namesz 9\)/);
      expect(elfError(() => readUsdtProbes(patched(bytes, notes[1]!, 0x10000, 4))).message).toMatch(/note name \(namesz 65536\).*runs past the end/);
      expect(elfError(() => readUsdtProbes(patched(bytes, notes[0]! + 12, 0x58, 4))).message).toMatch(/not "stapsdt"/);
      expect(elfError(() => readUsdtProbes(patched(bytes, notes[0]! + 8, 1, 4))).message).toMatch(/note type is 1, expected NT_STAPSDT/);
    });

    test("a description too short, strings not terminated inside it", () => {
      expect(elfError(() => readUsdtProbes(patched(bytes, notes[0]! + 4, 20, 4))).message).toMatch(/too short/);
      // descsz 28 ends the description right after "demo", before its NUL.
      expect(elfError(() => readUsdtProbes(patched(bytes, notes[0]! + 4, 28, 4))).message).toMatch(/provider is not NUL-terminated/);
    });

    test("a probe or semaphore address outside every segment names the probe", () => {
      const expected = readelfNotes(path);
      const e = elfError(() => readUsdtProbes(patched(bytes, notes[1]! + 20, 0x7fff0000, 8)));
      expect(e.message).toContain(`USDT probe ${expected[1]!.provider}:${expected[1]!.name}: address 0x7fff0000 is in no loadable segment`);
      const guarded = expected.findIndex((n) => n.semaphore !== 0);
      const s = elfError(() => readUsdtProbes(patched(bytes, notes[guarded]! + 20 + 16, 0x7fff0000, 8)));
      expect(s.message).toContain("USDT probe demo:guarded: semaphore address 0x7fff0000 is in no loadable segment");
    });

    test("32-bit files and non-ELF input", () => {
      expect(elfError(() => readUsdtProbes(patched(bytes, 4, 1, 1))).message).toMatch(/ELFCLASS32/);
      expect(elfError(() => readUsdtProbes(new TextEncoder().encode("#!/bin/sh\necho hello\n".repeat(4)))).message).toMatch(/not an ELF file/);
      expect(() => readUsdtProbes(new Uint8Array(10))).toThrow(ElfError);
    });

    test("another architecture: notes read, arguments refused", () => {
      const arm = readUsdtProbes(patched(bytes, 18, 183, 2)); // e_machine EM_AARCH64
      expect(arm.map(fields)).toEqual(readUsdtProbes(bytes).map(fields));
      expect(one(arm, "noargs").args).toEqual([]);
      expect(() => one(arm, "regs").args).toThrow(/arguments are read for x86-64 files only \(e_machine is 183\)/);
    });

    test("any single corrupted byte in the notes: a WhistlerError or a result, never a RangeError", () => {
      const sec = readelfSection(path, ".note.stapsdt")!;
      for (let at = sec.offset; at < sec.offset + sec.size; at++) {
        for (const value of [0x00, 0xff]) {
          const copy = new Uint8Array(bytes);
          copy[at] = value;
          try {
            for (const p of readUsdtProbes(copy)) void p.args;
          } catch (e) {
            if (!(e instanceof WhistlerError)) throw new Error(`byte ${at} = ${value}: ${String(e)}`);
          }
        }
      }
    });
  });

  test("system files built with SDT (python, libstdc++) match readelf", () => {
    const python = ["/usr/bin/python3.11", "/usr/bin/python3"].find((p) => existsSync(p));
    const pythonPath = python === undefined ? undefined : realpathSync(python);
    const candidates = [pythonPath, libstdcxx()].filter((p): p is string => p !== undefined && existsSync(p));
    const withNotes = [...new Set(candidates.map((p) => realpathSync(p)))].filter((p) => readelfNotes(p).length > 0);
    if (withNotes.length === 0) process.stderr.write("\n(no system file with .note.stapsdt here: only the gcc-built files were checked)\n");
    for (const path of withNotes) {
      const probes = checkedProbes(path);
      for (const p of probes) expect(p.args).toHaveLength(p.argText === "" ? 0 : p.argText.split(/\s+/).length);
      if (path !== pythonPath) continue;
      // Debian's python: provider "python", every probe guarded by a semaphore.
      expect(new Set(probes.map((p) => p.provider))).toEqual(new Set(["python"]));
      expect(probes.map((p) => p.name)).toEqual(expect.arrayContaining(["function__entry", "function__return", "gc__start", "line"]));
      expect(probes.every((p) => p.semaphoreOffset !== 0)).toBe(true);
    }
  });
});

function libstdcxx(): string | undefined {
  try {
    const path = execFileSync("gcc", ["-print-file-name=libstdc++.so.6"], { encoding: "utf8" }).trim();
    return path.startsWith("/") ? path : undefined;
  } catch {
    return undefined;
  }
}
