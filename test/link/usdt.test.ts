/**
 * USDT probes end to end: `Usdt<"binary:provider:name">` programs compiled by us, attached
 * at every site of a probe in a gcc-built binary (<sys/sdt.h>) and in Debian's python3,
 * reading their arguments wherever each site's note puts them: registers, memory below the
 * frame pointer (-O0), constants; signed and unsigned, 1 to 8 bytes; a probe inlined twice;
 * a probe behind a semaphore, which the kernel must count up for the binary to run it.
 */
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bpf, char, defstruct, HashMap, i32, load, RingBuf, u32, u64 } from "../../index.js";
import { readUsdtProbes } from "../../loader/link/usdt-notes.js";
import { AttachError } from "../../runtime/errors.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { fixture } from "../loader/fixtures.js";
import { describeKernel } from "../helpers/kernel.js";

const SOURCE = `
#include <sys/sdt.h>
#include <stdlib.h>
void gated(int i);
static inline __attribute__((always_inline)) void twice(long a, int b) { STAP_PROBE2(wh, multi, a, b); }
int main(int argc, char **argv) {
  int n = atoi(argv[1]);
  volatile long big = 0x123456789abLL;
  for (int i = 0; i < n; i++) {
    signed char small = (signed char)-i;
    unsigned short u16v = (unsigned short)(60000 + i);
    STAP_PROBE5(wh, args, i, (long)-5 * i, 42, small, u16v);
    STAP_PROBE1(wh, big, big + i);
    twice(i, -i);
    twice(1000 + i, -1000 - i);
    gated(i);
  }
  return 0;
}
`;

/** A probe behind a semaphore (sdt.h gives every probe of a file with semaphores one). */
const GATED = `
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
unsigned short wh_gated_semaphore __attribute__((unused)) __attribute__((section(".probes")));
__attribute__((noinline)) void gated(int i) { if (wh_gated_semaphore) STAP_PROBE1(wh, gated, i + 100); }
`;

/** A shared library with a probe, and a program that calls it (probes in libraries are per file). */
const LIB = `
#include <sys/sdt.h>
__attribute__((noinline)) long lib_work(long x) { STAP_PROBE2(whlib, work, x, x * x); return x + 1; }
`;
const LIB_MAIN = `
#include <stdlib.h>
long lib_work(long x);
int main(int argc, char **argv) { long s = 0; for (long i = 0; i < atoi(argv[1]); i++) s += lib_work(i); return s < 0; }
`;

let dir = "";
const bins: Record<"O0" | "O2" | "lib" | "libMain", string> = { O0: "", O2: "", lib: "", libMain: "" };

/** key = probe * 1e6 + arg * 1e4 + i: each argument each iteration saw. */
export const seen = new HashMap({ key: u64, value: u64, maxEntries: 4096 });
export const hits = new HashMap({ key: u32, value: u64, maxEntries: 16 });

export const libProg = bpf`
  export function on_lib(ctx: Usdt<"libwhusdt.so:whlib:work">): i32 {
    ${seen}.update(5000000n + ctx.args[0], ctx.args[1]);
    return 0;
  }
`;

/** Reads no argument: the object gets no spec table, and its uprobes no cookies. */
export const countOnly = bpf`
  export function count_args(ctx: Usdt<"usdt_target:wh:args">): i32 {
    ${hits}.increment(7);
    return 0;
  }
`;

export const fixtureProgs = bpf`
  export function on_args(ctx: Usdt<"usdt_target:wh:args">): i32 {
    const i = ctx.args[0];
    ${seen}.update(1000000n + i, ctx.args[1]);
    ${seen}.update(1010000n + i, ctx.args[2]);
    ${seen}.update(1020000n + i, ctx.args[3]);
    ${seen}.update(1030000n + i, ctx.args[4]);
    ${seen}.update(1040000n + i, ctx.args[5]);
    ${seen}.update(1050000n + i, ctx.arg_count);
    ${hits}.increment(1);
    return 0;
  }
  export function on_big(ctx: Usdt<"usdt_target:wh:big">): i32 {
    ${seen}.update(2000000n + (ctx.args[0] & 0xffffn), ctx.args[0]);
    return 0;
  }
  export function on_multi(ctx: Usdt<"usdt_target:wh:multi">): i32 {
    ${seen}.update(3000000n + ctx.args[0], ctx.args[1]);
    ${hits}.increment(3);
    return 0;
  }
  export function on_gated(ctx: Usdt<"usdt_target:wh:gated">): i32 {
    ${seen}.update(4000000n + ctx.args[0], 1);
    ${hits}.increment(4);
    return 0;
  }
`;

const N = 20;
const u64of = (v: bigint) => BigInt.asUintN(64, v);

function run(bin: string, n = N): void {
  execFileSync(bin, [String(n)]);
}

describeKernel("USDT probes", () => {
  checkNoFdLeaks();
  beforeAll(() => {
    if (!existsSync("/usr/include/x86_64-linux-gnu/sys/sdt.h") && !existsSync("/usr/include/sys/sdt.h")) {
      throw new Error("<sys/sdt.h> is missing: install the Debian package systemtap-sdt-dev (.ci/run does)");
    }
    dir = mkdtempSync(join(tmpdir(), "wh-usdt-"));
    writeFileSync(join(dir, "target.c"), SOURCE);
    writeFileSync(join(dir, "gated.c"), GATED);
    for (const opt of ["O0", "O2"] as const) {
      bins[opt] = join(dir, `target-${opt}`);
      execFileSync("gcc", [`-${opt}`, "-o", bins[opt], join(dir, "target.c"), join(dir, "gated.c")]);
    }
    writeFileSync(join(dir, "lib.c"), LIB);
    writeFileSync(join(dir, "lib-main.c"), LIB_MAIN);
    bins.lib = join(dir, "libwhusdt.so");
    bins.libMain = join(dir, "lib-main");
    execFileSync("gcc", ["-O2", "-shared", "-fPIC", "-o", bins.lib, join(dir, "lib.c")]);
    execFileSync("gcc", ["-O2", "-o", bins.libMain, join(dir, "lib-main.c"), bins.lib, `-Wl,-rpath,${dir}`]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const opt of ["O0", "O2"] as const) {
    test(`-${opt}: every argument of every site, in registers, memory or constants, sign- and zero-extended`, async () => {
      const bin = bins[opt];
      const probes = readUsdtProbes(new Uint8Array(readFileSync(bin)));
      expect(probes.filter((p) => p.name === "multi")).toHaveLength(2); // inlined twice
      if (opt === "O0") expect(probes.some((p) => p.args.some((a) => a.kind === "reg_deref"))).toBe(true);
      expect(probes.find((p) => p.name === "args")!.args.some((a) => a.kind === "const")).toBe(true); // 42

      await using obj = await load(fixtureProgs);
      const links = (["on_args", "on_big", "on_multi"] as const).map((name) =>
        obj.program(name).attach({ target: `${bin}:wh:${name.slice(3)}` }));
      try {
        expect(links[2]!.target).toBe(`${bin}:wh:multi (2 sites)`);
        run(bin);
      } finally {
        for (const l of links) l.detach();
      }
      const m = obj.map(seen);
      expect(obj.map(hits).get(1)).toBe(BigInt(N));
      expect(obj.map(hits).get(3)).toBe(BigInt(2 * N));
      for (let i = 0n; i < BigInt(N); i++) {
        expect(m.get(1000000n + i)).toBe(u64of(-5n * i)); // long, sign-extended
        expect(m.get(1010000n + i)).toBe(42n); // a constant
        expect(m.get(1020000n + i)).toBe(u64of(-i)); // signed char, sign-extended
        expect(m.get(1030000n + i)).toBe(60000n + i); // unsigned short
        expect(m.get(1040000n + i)).toBe(0n); // beyond the probe's 5 arguments: 0
        expect(m.get(1050000n + i)).toBe(5n); // ctx.arg_count
        expect(m.get(2000000n + ((0x89abn + i) & 0xffffn))).toBe(0x123456789abn + i); // 8 bytes whole
        expect(m.get(3000000n + i)).toBe(u64of(-i)); // first site
        expect(m.get(3001000n + i)).toBe(u64of(-1000n - i)); // second site, its own placement
      }
      run(bin); // detached: nothing more
      expect(obj.map(hits).get(1)).toBe(BigInt(N));
    });
  }

  test("clang's object using libbpf's usdt.bpf.h attaches as libbpf does: its own __bpf_usdt_specs table, cookies", async () => {
    for (const bin of [bins.O0, bins.O2]) {
      await using obj = await load(fixture("usdt_args.bpf.o"));
      {
        using _args = obj.program("on_args").attach({ target: `${bin}:wh:args` });
        using _multi = obj.program("on_multi").attach({ target: `${bin}:wh:multi` });
        run(bin);
      }
      const m = obj.map<bigint, bigint>("seen");
      for (let i = 0n; i < BigInt(N); i++) {
        expect(m.get(1000000n + i)).toBe(u64of(-5n * i));
        expect(m.get(1010000n + i)).toBe(42n);
        expect(m.get(1020000n + i)).toBe(u64of(-i));
        expect(m.get(1030000n + i)).toBe(60000n + i);
        expect(m.get(1040000n + i)).toBe(5n); // bpf_usdt_arg_cnt
        expect(m.get(3000000n + i)).toBe(u64of(-i));
        expect(m.get(3001000n + i)).toBe(u64of(-1000n - i));
      }
    }
  });

  test("a program that reads no argument attaches without a spec table", async () => {
    await using obj = await load(countOnly);
    expect(obj.mapNames).toEqual(["hits"]);
    {
      using link = obj.program("count_args").attach({ target: `${bins.O2}:wh:args` });
      expect(link.target).toBe(`${bins.O2}:wh:args`);
      run(bins.O2);
    }
    expect(obj.map(hits).get(7)).toBe(BigInt(N));
  });

  test("a probe in a shared library fires in the program that uses it", async () => {
    await using obj = await load(libProg);
    {
      using _link = obj.program("on_lib").attach({ target: `${bins.lib}:whlib:work` });
      run(bins.libMain, 9);
    }
    const m = obj.map(seen);
    for (let i = 0n; i < 9n; i++) expect(m.get(5000000n + i)).toBe(i * i);
  });

  test("a probe behind a semaphore runs only while attached: the kernel counts the semaphore", async () => {
    const bin = bins.O2;
    const gated = readUsdtProbes(new Uint8Array(readFileSync(bin))).find((p) => p.name === "gated")!;
    expect(gated.semaphoreOffset).toBeGreaterThan(0);
    await using obj = await load(fixtureProgs);
    {
      using _link = obj.program("on_gated").attach({ target: `${bin}:wh:gated` });
      run(bin);
    }
    expect(obj.map(hits).get(4)).toBe(BigInt(N));
    expect(obj.map(seen).get(4000000n + 100n + BigInt(N - 1))).toBe(1n);
    run(bin);
    expect(obj.map(hits).get(4)).toBe(BigInt(N)); // semaphore back at 0: the binary skips it
  });

  test("errors: a probe the binary lacks lists those it has; a binary without probes says so", async () => {
    await using obj = await load(fixtureProgs);
    const prog = obj.program("on_args");
    expect(() => prog.attach({ target: `${bins.O2}:wh:nope` })).toThrow(AttachError);
    expect(() => prog.attach({ target: `${bins.O2}:wh:nope` })).toThrow(/has no USDT probe wh:nope/);
    try {
      prog.attach({ target: `${bins.O2}:wh:nope` });
    } catch (e) {
      expect((e as AttachError).hint).toMatch(/wh:args.*wh:multi|wh:multi.*wh:args/);
    }
    expect(() => prog.attach({ target: "/bin/true:wh:args" })).toThrow(/no USDT probes at all/);
    expect(() => prog.attach()).toThrow(/cannot find library or program "usdt_target"/);
  });
});

const Import = defstruct("py_import", { pid: u32, name: char(64) });
export const imports = new RingBuf({ maxEntries: 1 << 20 });
export const gcRuns = new HashMap({ key: i32, value: u64, maxEntries: 8 });
export const pythonProgs = bpf`
  export function py_gc(ctx: Usdt<"python3:python:gc__start">): i32 {
    ${gcRuns}.increment(ctx.args[0] as i32);
    return 0;
  }
  export function py_import(ctx: Usdt<"python3:python:import__find__load__start">): i32 {
    const e = ${imports}.reserve(${Import});
    if (e === null) return 0;
    e.pid = (get_current_pid_tgid() >> 32n) as u32;
    probe_read_user_str(e.name, ctx.args[0]);
    ${imports}.submit(e);
    return 0;
  }
`;

/** Debian's python3 carries USDT probes (python:gc__start, import__find__load__start, ...). */
function pythonWithProbes(): string | undefined {
  if (!existsSync("/usr/bin/python3")) return undefined;
  const real = realpathSync("/usr/bin/python3");
  return readUsdtProbes(new Uint8Array(readFileSync(real))).some((x) => x.provider === "python" && x.name === "gc__start") ? real : undefined;
}

describeKernel("USDT probes in python3", () => {
  checkNoFdLeaks();
  const python = pythonWithProbes();

  test("gc__start's generation (memory at %rsp+112) and the module names import__find__load__start passes", async () => {
    if (!python) throw new Error("/usr/bin/python3 has no USDT probes: install Debian's python3 (.ci/run does)");
    const script = "import gc\nimport wave\nfor g in (2, 2, 2, 1):\n    gc.collect(g)\n";
    await using obj = await load(pythonProgs);
    using rb = obj.ringBuf(imports, Import);
    let pid = 0;
    {
      using _gc = obj.program("py_gc").attach({ target: `${python}:python:gc__start` });
      using _imp = obj.program("py_import").attach({ target: `${python}:python:import__find__load__start` });
      const child = spawnSync(python, ["-c", script]);
      expect(child.status).toBe(0);
      pid = child.pid!;
    }
    const gens = new Map([...obj.map(gcRuns).entries()]);
    expect([...gens.keys()].every((g) => g >= 0 && g <= 2)).toBe(true);
    expect(gens.get(2)).toBeGreaterThanOrEqual(3n);
    expect(gens.get(1)).toBeGreaterThanOrEqual(1n);
    const names: string[] = [];
    rb.consume((e) => { if (e.pid === pid) names.push(e.name); });
    expect(names).toContain("wave");
    expect(names).toContain("gc");
  });
});
