import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "../../loader/index.js";
import {
  attachBtfId, attachKprobe, btfTargetName, kprobeEventLine, kprobeMechanism, kprobeRemoveLine, legacyEventName,
  parseFormatBit, probePmu, tracingRefusal,
} from "../../loader/link/index.js";
import { AttachError, BpfError, NotSupportedError, WhistlerError } from "../../runtime/errors.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";

async function rejection(p: Promise<unknown>): Promise<WhistlerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof WhistlerError) return e;
    throw e;
  }
  throw new Error("nothing thrown");
}

function caught(f: () => unknown): WhistlerError {
  try {
    f();
  } catch (e) {
    if (e instanceof WhistlerError) return e;
    throw e;
  }
  throw new Error("nothing thrown");
}

describe("kprobe pure parts: event lines, names, PMU format, mechanism choice", () => {
  let root = "";
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "wh-kprobe-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("kprobe_events lines", () => {
    expect(kprobeEventLine({ ret: false, group: "whistler", event: "e1", symbol: "do_unlinkat", offset: 0 })).toBe("p:whistler/e1 do_unlinkat");
    expect(kprobeEventLine({ ret: false, group: "whistler", event: "e1", symbol: "do_unlinkat", offset: 16 })).toBe("p:whistler/e1 do_unlinkat+16");
    expect(kprobeEventLine({ ret: true, group: "whistler", event: "e2", symbol: "vfs_read", offset: 0 })).toBe("r:whistler/e2 vfs_read");
    expect(kprobeRemoveLine("whistler", "e2")).toBe("-:whistler/e2");
    expect(legacyEventName("__x64_sys_openat.isra.0", 42, 3)).toBe("wh_42___x64_sys_openat_isra_0_3");
  });

  test("PMU type and retprobe bit from sysfs", () => {
    expect(parseFormatBit("config:0\n")).toBe(0);
    expect(parseFormatBit("config:9")).toBe(9);
    expect(parseFormatBit("config1:0-63")).toBeUndefined();
    const es = join(root, "event_source");
    mkdirSync(join(es, "kprobe", "format"), { recursive: true });
    writeFileSync(join(es, "kprobe", "type"), "6\n");
    writeFileSync(join(es, "kprobe", "format", "retprobe"), "config:0\n");
    expect(probePmu("kprobe", es)).toEqual({ name: "kprobe", type: 6, retprobeBit: 0 });
    expect(probePmu("uprobe", es)).toBeUndefined();
    // The real uprobe PMU of this machine.
    expect(probePmu("uprobe")).toMatchObject({ name: "uprobe", retprobeBit: 0 });
  });

  test("PMU first, tracefs kprobe_events second, else a reason naming both", () => {
    const es = join(root, "event_source");
    const tracefs = join(root, "tracing");
    mkdirSync(join(tracefs, "events"), { recursive: true });
    writeFileSync(join(tracefs, "kprobe_events"), "");
    expect(kprobeMechanism({ eventSource: es, tracefs: [tracefs] })).toEqual({ kind: "pmu", type: 6, retprobeBit: 0 });
    expect(kprobeMechanism({ eventSource: es, tracefs: [tracefs] }, true)).toEqual({ kind: "legacy", tracefs });
    expect(kprobeMechanism({ eventSource: join(root, "none"), tracefs: [tracefs] })).toEqual({ kind: "legacy", tracefs });
    const none = kprobeMechanism({ eventSource: join(root, "none"), tracefs: [join(root, "no-tracefs")] });
    expect(none).toEqual({ kind: "none", reason: `this kernel has no kprobes: there is no kprobe PMU (${join(root, "none")}/kprobe) and tracefs is not mounted` });
  });

  test("legacy path writes the probe, and removes it when the rest fails", () => {
    const tracefs = join(root, "tracing");
    const prog = { name: "p", fd: undefined as never };
    const e = caught(() => attachKprobe(prog, { symbol: "do_unlinkat", ret: true }, { eventSource: join(root, "none"), tracefs: [tracefs] }));
    expect(e).toBeInstanceOf(AttachError);
    expect(e.message).toMatch(/kretprobe do_unlinkat: cannot find tracepoint whistler\/wh_\d+_do_unlinkat_\d+/);
    const lines = readFileSync(join(tracefs, "kprobe_events"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^r:whistler\/(wh_\d+_do_unlinkat_\d+) do_unlinkat$/);
    expect(lines[1]).toBe(`-:whistler/${/^r:whistler\/(\S+)/.exec(lines[0]!)![1]}`);
    expect(() => attachKprobe(prog, { symbol: "bad name;" }, { eventSource: join(root, "none"), tracefs: [tracefs] })).toThrow(/"bad name;" is not a kernel function name/);
  });

  test("fentry/lsm: BTF names, and EPERM reads as a refusal only with capabilities", () => {
    expect(btfTargetName("lsm/file_open", "file_open")).toEqual({ kind: "FUNC", name: "bpf_lsm_file_open" });
    expect(btfTargetName("tp_btf/sched_switch", "sched_switch")).toEqual({ kind: "TYPEDEF", name: "btf_trace_sched_switch" });
    expect(btfTargetName("fentry.s/do_unlinkat", "do_unlinkat")).toEqual({ kind: "FUNC", name: "do_unlinkat" });
    const eperm = new BpfError("BPF_PROG_LOAD", 1);
    const root0 = "CapEff:\t000001ffffffffff\n";
    const none = "CapEff:\t0000000000000000\n";
    expect(tracingRefusal("f", "fentry/x", eperm, root0)?.message).toMatch(/the kernel refuses fentry programs here .*BPF trampolines/);
    expect(tracingRefusal("f", "lsm/file_open", eperm, root0)?.message).toMatch(/the BPF LSM is not active/);
    expect(tracingRefusal("f", "fentry/x", eperm, none)).toBeUndefined();
    expect(tracingRefusal("f", "fentry/x", new BpfError("BPF_PROG_LOAD", 22), root0)).toBeUndefined();
  });
});

describeKernel("kinds this kernel lacks: kprobes, fentry/fexit/lsm", () => {
  checkNoFdLeaks();

  test("kprobe: a NotSupportedError saying there is no kprobe PMU and no kprobe_events", async () => {
    await using obj = await load(fixture("attach_kinds.bpf.o"));
    const kprobeLike = obj.program("on_call"); // a KPROBE-type program (uprobes share the type)
    const e = caught(() => attachKprobe(kprobeLike, { symbol: "do_unlinkat" }));
    expect(e).toBeInstanceOf(NotSupportedError);
    expect(e.message).toMatch(/^attach program "on_call": kprobe do_unlinkat: this kernel has no kprobes: there is no kprobe PMU \(\/sys\/bus\/event_source\/devices\/kprobe\) and no kprobe_events in tracefs \(\/sys\/kernel(\/debug)?\/tracing\/kprobe_events\)/);
    expect(e.hint).toMatch(/built without CONFIG_KPROBES/);
    expect(() => attachKprobe(kprobeLike, { symbol: "vfs_read", ret: true })).toThrow(/kretprobe vfs_read: this kernel has no kprobes/);
  });

  test("fentry/fexit/lsm: attach_btf_id found in vmlinux BTF; the kernel's EPERM becomes a plain refusal", async () => {
    expect(attachBtfId("fentry/do_unlinkat", "do_unlinkat")).toBeGreaterThan(0);
    expect(attachBtfId("lsm/file_open", "file_open")).toBeGreaterThan(0);
    expect(() => attachBtfId("fentry/no_such_function_x", "no_such_function_x")).toThrow(/the kernel's BTF has no function "no_such_function_x"/);
    const e = await rejection(load(fixture("tracing_refused.bpf.o")));
    expect(e).toBeInstanceOf(NotSupportedError);
    expect(e.message).toMatch(/load program "on_unlink_entry": the kernel refuses fentry programs here \(BPF_PROG_LOAD failed with EPERM although the process has CAP_BPF and CAP_PERFMON\)/);
    expect((e.cause as BpfError).code).toBe("EPERM");
  });
});
