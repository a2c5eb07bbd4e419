/**
 * Interop the other way: objects our compiler writes are loaded by libbpf (a small C loader
 * linked with libbpf-dev, built with gcc here) and by `bpftool prog loadall`, and run the same
 * as when our own loader loads them (BPF-to-BPF subprograms included).
 */
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { load } from "../../loader/index.js";
import { compileTemplate } from "../../transformer/compile.js";
import { COUNT_OPENS, COUNT_OPENS_SLOTS, SHARED, XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS, template, type SlotSpec } from "../compiler/helpers.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { buildLibbpfProgram } from "../helpers/libbpf-program.js";
import { describeKernel } from "../helpers/kernel.js";
import { bpftool, scratch, writeObject } from "../interop/bpftool-util.js";
import { STACK_TRACE_LAYOUT } from "../../runtime/map-decl.js";
import { arrayFieldType, layoutStruct, scalarFieldType } from "../../runtime/struct/layout.js";
import { u64 } from "../../runtime/types.js";

const TIMER = layoutStruct("bpf_timer", [["opaque", arrayFieldType(scalarFieldType(u64), 2)]]);
const SLOT = layoutStruct("slot", [["timer", TIMER], ["n", scalarFieldType(u64)]]);

const here = fileURLToPath(new URL(".", import.meta.url));
let dir = "";
let loader = "";

function compile(body: string, slots: Record<string, SlotSpec> = {}): Uint8Array {
  const r = compileTemplate(template(body, slots, "/srv/app/probes.ts"));
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length || !r.elf) throw new Error(`compile failed: ${errors.map((d) => d.message).join("; ")}`);
  return r.elf;
}

/** The libbpf loader's report for `elf`, with every XDP program run on a frame of `fill` bytes. */
function libbpfRun(name: string, elf: Uint8Array, fill: number): string[] {
  const path = writeObject(dir, name, elf);
  try {
    return execFileSync(loader, [path, String(fill)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n");
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`libbpf could not load ${name}: ${err.message}\n${err.stderr ?? ""}`);
  }
}

describeKernel("libbpf and bpftool load our objects", () => {
  checkNoFdLeaks();

  beforeAll(() => {
    ({ dir, binary: loader } = buildLibbpfProgram(join(here, "c/libbpf_load.c"), "whistler-libbpf-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("count_opens: libbpf opens, relocates and loads it", () => {
    const out = libbpfRun("count_opens", compile(COUNT_OPENS, COUNT_OPENS_SLOTS), 0);
    expect(out).toEqual(["prog count_opens tracepoint/syscalls/sys_enter_openat -", "map counts 1"]);
  });

  test("xdp_proto_count: libbpf's test run matches ours", async () => {
    const elf = compile(XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS);
    expect(libbpfRun("xdp_proto_count", elf, 0)).toEqual(["prog xdp_proto_count xdp 2", "map proto_counts 2"]);
    await using obj = await load(elf);
    expect(obj.program("xdp_proto_count").testRun({ data: new Uint8Array(64) }).retval).toBe(2);
  });

  test("subprograms (.text, R_BPF_64_32): libbpf and our loader link them the same", async () => {
    const elf = compile(SHARED);
    for (const fill of [0, 1, 0x5a]) {
      const lines = libbpfRun("shared", elf, fill);
      const theirs = Object.fromEntries(lines.filter((l) => l.startsWith("prog ")).map((l) => [l.split(" ")[1]!, Number(l.split(" ")[3])]));
      await using obj = await load(elf);
      const frame = new Uint8Array(64).fill(fill);
      const ours = Object.fromEntries([...obj.programs.values()].map((p) => [p.name, p.testRun({ data: frame }).retval | 0]));
      expect(Object.keys(ours).sort()).toEqual(["first", "second"]);
      expect(ours).toEqual(theirs);
    }
  });

  test("kfunc calls (extern symbols, .ksyms): libbpf resolves them as our loader does", async () => {
    // The test run's current task is the loader's process: the kfunc finds it by its pid.
    const elf = compile("export function find_self(ctx: Xdp): i32 {\n  const t = bpf_task_from_pid((get_current_pid_tgid() >> 32) as i32);\n  if (t == 0) return XDP_DROP;\n  bpf_task_release(t);\n  return XDP_PASS;\n}\n");
    expect(libbpfRun("kfuncs", elf, 0)).toEqual(["prog find_self xdp 2"]);
    await using obj = await load(elf);
    expect(obj.program("find_self").testRun({ data: new Uint8Array(64) }).retval).toBe(2);
  });

  test("bpftool loads printk formats (.rodata strings), a stack trace map and a timer with its callback", () => {
    const slots: Record<string, SlotSpec> = {
      stacks: { map: { kind: "stack_trace", key: "u32", value: "u8", valueStruct: STACK_TRACE_LAYOUT, maxEntries: 16 } },
      slots: { map: { kind: "array", key: "u32", value: "u8", valueStruct: SLOT, maxEntries: 1 } },
      Slot: SLOT,
    };
    const src = `function fired(map: u64, key: u64, v: \${Slot}): i64 { v.n += 1; return 0; }
export function on_getgid(ctx: Tracepoint<"syscalls/sys_enter_getgid">): i32 {
  printk("stack %lld\\n", get_stackid(ctx, \${stacks}, 0));
  return 0;
}
export function arm(ctx: Xdp): i32 {
  const v = \${slots}.lookup(0);
  if (!v) return XDP_PASS;
  timer_init(v.timer, \${slots}, CLOCK_MONOTONIC);
  timer_set_callback(v.timer, fired);
  timer_start(v.timer, 1000, 0);
  return XDP_PASS;
}
`;
    const s = scratch("features");
    try {
      bpftool(["prog", "loadall", writeObject(s.tmp, "features", compile(src, slots)), s.pinDir]);
      expect(execFileSync("ls", [s.pinDir], { encoding: "utf8" }).trim().split("\n").sort()).toEqual(["arm", "on_getgid"]);
    } finally {
      s.cleanup();
    }
  });

  test("bpftool prog loadall takes an object with subprograms", () => {
    const s = scratch("loadall");
    try {
      const path = writeObject(s.tmp, "shared", compile(SHARED));
      bpftool(["prog", "loadall", path, s.pinDir]);
      const pinned = execFileSync("ls", [s.pinDir], { encoding: "utf8" }).trim().split("\n").sort();
      expect(pinned).toEqual(["first", "second"]);
    } finally {
      s.cleanup();
    }
  });
});
