/**
 * loadRatio: the time to load an object (BTF, maps, programs through the verifier, then close
 * it all) with our loader against libbpf, the library inside `bpftool prog loadall`, on the
 * same objects in the same run: the clang-built reference programs and two objects our
 * compiler writes. libbpf runs in a C program built here (gcc, libbpf-dev) so neither side
 * pays a process start; `bpftool prog loadall` wall time (with its process start and pinning)
 * is reported beside it. Rounds alternate between the sides; each keeps its best per object.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bpf, HashMap, u32, u64, ArrayMap, load } from "../index.js";
import { compileAtRunTime } from "../transformer/runtime-compile.js";

const counts = new HashMap({ key: u32, value: u64, maxEntries: 10240, name: "counts" });
const protoCounts = new ArrayMap({ value: u64, maxEntries: 256, name: "proto_counts" });
const OURS = {
  count_opens: bpf`
    export function count_opens(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
      const pid = (get_current_pid_tgid() >> 32n) as u32;
      ${counts}.increment(pid);
      return 0;
    }
  `,
  xdp_proto_count: bpf`
    export function xdp_proto_count(ctx: Xdp): i32 {
      const data = ctx.data;
      if (data + 34 > ctx.data_end) return XDP_PASS;
      if (ntohs(load_u16(data, 12)) != 0x0800) return XDP_PASS;
      ${protoCounts}.increment(load_u8(data, 23));
      return XDP_PASS;
    }
  `,
};

/**
 * Untimed rounds before measuring. V8 optimizes the loader's functions only after many calls:
 * measured on these objects, the ratio to libbpf fell from 1.31 after 30 rounds to 1.21 after
 * 60 and settled near 1.09 from 100 rounds on (150 gave the same), so fewer rounds measure the
 * JIT's tier-up, not steady state.
 */
const WARMUP_ROUNDS = 100;

export interface LoadTimeResult {
  /** Per object: best ms for ours, libbpf in-process, and bpftool prog loadall (whole process). */
  readonly objects: Record<string, { ours: number; libbpf: number; bpftool: number }>;
  readonly ours: number;
  readonly libbpf: number;
  readonly bpftool: number;
  /** ours / libbpf */
  readonly ratio: number;
}

function findBpftool(): string {
  for (const d of ["/usr/sbin", "/sbin", "/usr/local/sbin", ...(process.env.PATH ?? "").split(":")]) {
    if (d && existsSync(path.join(d, "bpftool"))) return path.join(d, "bpftool");
  }
  throw new Error("bpftool not found (Debian: apt-get install bpftool)");
}

function ms(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function measureLoadTime(repoRoot: string, rounds = 7): Promise<LoadTimeResult> {
  const bpftool = findBpftool();
  const dir = mkdtempSync(path.join(tmpdir(), "whistler-loadtime-"));
  const pin = `/sys/fs/bpf/whistler-bench-${process.pid}`;
  try {
    const exe = path.join(dir, "libbpf_load_time");
    execFileSync("gcc", ["-O2", "-o", exe, path.join(repoRoot, "bench/c/libbpf_load_time.c"), "-lbpf"]);
    const files = new Map<string, string>();
    const fixtures = path.join(repoRoot, "test/fixtures/clang");
    const reference = readdirSync(path.join(repoRoot, "../shared/reference-c")).filter((f) => f.endsWith(".bpf.c")).map((f) => f.replace(/\.c$/, ".o"));
    for (const f of reference) if (existsSync(path.join(fixtures, f))) files.set(`clang:${f.replace(/\.bpf\.o$/, "")}`, path.join(fixtures, f));
    for (const [name, t] of Object.entries(OURS)) {
      const p = path.join(dir, `${name}.o`);
      writeFileSync(p, (await compileAtRunTime(t)).elf);
      files.set(`ours:${name}`, p);
    }
    const bytes = new Map([...files].map(([k, p]) => [k, new Uint8Array(readFileSync(p))]));
    // Warm-up, untimed: feature probes, the kernel config, the page cache, and the JIT (our
    // loader is JavaScript; libbpf is compiled ahead of time), so both sides are in steady state.
    for (let i = 0; i < WARMUP_ROUNDS; i++) for (const b of bytes.values()) (await load(b))[Symbol.dispose]();
    execFileSync(exe, ["1", ...files.values()]);

    const best = new Map<string, { ours: number; libbpf: number; bpftool: number }>();
    const paths = [...files.values()];
    for (let r = 0; r < rounds; r++) {
      const lib = new Map(execFileSync(exe, ["1", ...paths], { encoding: "utf8" }).trim().split("\n").map((l) => {
        const [p, t] = l.split(" ");
        return [p!, Number(t)] as const;
      }));
      // Each side runs its objects back to back, so neither pays for the other's processes.
      const ours = new Map<string, number>();
      for (const [name, b] of bytes) {
        const t0 = process.hrtime.bigint();
        (await load(b))[Symbol.dispose]();
        ours.set(name, Number(process.hrtime.bigint() - t0) / 1e6);
      }
      for (const [name, p] of files) {
        const tool = ms(() => execFileSync(bpftool, ["prog", "loadall", p, pin], { stdio: "ignore" }));
        rmSync(pin, { recursive: true, force: true });
        const cur = best.get(name) ?? { ours: Infinity, libbpf: Infinity, bpftool: Infinity };
        best.set(name, { ours: Math.min(cur.ours, ours.get(name)!), libbpf: Math.min(cur.libbpf, lib.get(p) ?? Infinity), bpftool: Math.min(cur.bpftool, tool) });
      }
    }
    const objects = Object.fromEntries(best);
    const sum = (k: "ours" | "libbpf" | "bpftool"): number => [...best.values()].reduce((s, x) => s + x[k], 0);
    return { objects, ours: sum("ours"), libbpf: sum("libbpf"), bpftool: sum("bpftool"), ratio: sum("ours") / sum("libbpf") };
  } finally {
    rmSync(pin, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}
