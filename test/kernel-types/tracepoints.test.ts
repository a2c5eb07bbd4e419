// Tracepoint formats: the parser on real and hostile text, the committed snapshot (what the
// compiler types `ctx` with), suggestions, and the snapshot against the running kernel.
import { describe, expect, test } from "@jest/globals";
import { existsSync } from "node:fs";
import { parseFormat, TracefsFormatError } from "../../transformer/kernel/tracefs-format.js";
import { suggestTracepoints, tracepointFormat, tracepointNames } from "../../transformer/kernel/tracepoints.js";
import { liveFormat, liveTracepointNames, snapshotModule, TRACEFS_ROOTS } from "../../transformer/kernel/tracefs.js";

const SCHED_PROCESS_EXEC = `name: sched_process_exec
ID: 365
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;
\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;
\tfield:char comm[16];\toffset:16;\tsize:16;\tsigned:0;
\tfield:const char *const * argv;\toffset:32;\tsize:8;\tsigned:0;

print fmt: "filename=%s pid=%d", __get_str(filename), REC->pid
`;

describe("tracefs format parser", () => {
  test("ints, pointers, arrays and __data_loc strings", () => {
    const f = parseFormat("sched/sched_process_exec", SCHED_PROCESS_EXEC);
    expect(f.size).toBe(40);
    expect(f.fields.filter((x) => x.common).map((x) => x.name)).toEqual(["common_type", "common_flags", "common_preempt_count", "common_pid"]);
    const by = Object.fromEntries(f.fields.map((x) => [x.name, x]));
    expect(by.filename).toMatchObject({ kind: "data_loc", offset: 8, size: 4, cType: "__data_loc char[]" });
    expect(by.pid).toMatchObject({ kind: "int", offset: 12, size: 4, signed: true, cType: "pid_t" });
    expect(by.comm).toMatchObject({ kind: "array", length: 16, elementSize: 1, cType: "char[16]" });
    expect(by.argv).toMatchObject({ kind: "pointer", size: 8, cType: "const char *const *" });
  });

  test("malformed text is a TracefsFormatError with the line", () => {
    expect(() => parseFormat("a/b", "format:\n\tfield:int x; offset:zero;\n")).toThrow(/a\/b format, line 2: expected/);
    expect(() => parseFormat("a/b", "name: b\nformat:\n\n")).toThrow(TracefsFormatError);
    expect(() => parseFormat("a/b", "format:\n\tfield:int [; offset:0; size:4; signed:1;\n")).toThrow(/cannot read the field declaration/);
  });
});

describe("tracepoint snapshot", () => {
  test.each([
    ["syscalls/sys_enter_openat", { filename: [24, 8, "pointer"], flags: [32, 8, "int"], dfd: [16, 8, "int"] }],
    ["syscalls/sys_enter_execve", { filename: [16, 8, "pointer"], argv: [24, 8, "pointer"] }],
    ["syscalls/sys_enter_read", { fd: [16, 8, "int"], buf: [24, 8, "pointer"], count: [32, 8, "int"] }],
    ["syscalls/sys_exit_read", { ret: [16, 8, "int"] }],
    ["sched/sched_switch", { prev_comm: [8, 16, "array"], prev_pid: [24, 4, "int"], next_pid: [56, 4, "int"] }],
    ["sched/sched_process_exec", { filename: [8, 4, "data_loc"], pid: [12, 4, "int"] }],
  ] as const)("%s", (name, want) => {
    const f = tracepointFormat(name);
    expect(f).toBeDefined();
    const by = Object.fromEntries(f!.fields.map((x) => [x.name, [x.offset, x.size, x.kind]]));
    for (const [k, v] of Object.entries(want)) expect(by[k]).toEqual(v);
    expect(f!.fields[0]).toMatchObject({ name: "common_type", offset: 0, size: 2 });
  });

  test("covers the common groups", () => {
    const names = tracepointNames();
    expect(names.length).toBeGreaterThan(700);
    for (const g of ["syscalls", "sched", "raw_syscalls", "tcp", "sock", "xdp", "block", "irq", "signal"]) {
      expect(names.some((n) => n.startsWith(`${g}/`))).toBe(true);
    }
  });

  test("unknown names are undefined, with suggestions", () => {
    expect(tracepointFormat("syscalls/sys_enter_opnat")).toBeUndefined();
    expect(suggestTracepoints("syscalls/sys_enter_opnat")[0]).toBe("syscalls/sys_enter_openat");
    expect(suggestTracepoints("sched_swich")).toContain("sched/sched_switch");
    expect(suggestTracepoints("zzzzzzzzzzzzzzzzzz")).toEqual([]);
    expect(tracepointFormat("../../etc/passwd")).toBeUndefined();
    expect(tracepointFormat("__proto__")).toBeUndefined();
  });

  test("the snapshot module round-trips through its own reader", () => {
    const f = parseFormat("sched/sched_process_exec", SCHED_PROCESS_EXEC);
    const text = snapshotModule([f], "test");
    const entry = { fields: [["__data_loc char filename[]", 8, 4, 0], ["pid_t pid", 12, 4, 1], ["char comm[16]", 16, 16, 0], ["const char *const * argv", 32, 8, 0]] };
    expect(text).toContain(`"sched/sched_process_exec": ${JSON.stringify(JSON.stringify(entry))},`);
  });

  const root = TRACEFS_ROOTS.find((r) => existsSync(`${r}/events/syscalls`));
  (root ? test : test.skip)("matches the running kernel's tracefs for every snapshot entry present there", () => {
    const live = new Set(liveTracepointNames(root!));
    let compared = 0;
    for (const name of tracepointNames()) {
      if (!live.has(name)) continue;
      expect(tracepointFormat(name)).toEqual(liveFormat(root!, name));
      compared++;
    }
    expect(compared).toBeGreaterThan(700);
  });
});
