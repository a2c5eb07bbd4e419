// The committed kernel struct snapshot (what KernelStruct<"..."> compiles against without
// vmlinux BTF): regenerated from the running kernel it is the same text when that kernel is
// the one it was taken from; its layouts agree with the running kernel's BTF either way for
// the fields tools read most.
import { describe, expect, jest, test } from "@jest/globals";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { btfCommand } from "../../cli/btf.js";
import { readKernelBtf, VMLINUX_BTF } from "../../transformer/kernel/vmlinux.js";
import { btfKernelTypes, SNAPSHOT_TYPES } from "../../transformer/kernel/kernel-types.js";
import { SNAPSHOT_ROOTS, snapshotStructs, structSnapshotModule } from "../../transformer/kernel/struct-snapshot.js";
import { SNAPSHOT_STRUCTS_KERNEL } from "../../transformer/kernel/structs/snapshot.js";
import { tpBtfSnapshotModule, TP_BTF_SNAPSHOT } from "../../transformer/kernel/tp-btf.js";
import { SNAPSHOT_TP_BTF_JSON } from "../../transformer/kernel/structs/tp-btf-snapshot.js";

const live = existsSync(VMLINUX_BTF);

describe("kernel struct snapshot", () => {
  test("holds the argument types of the common BTF raw tracepoints", () => {
    for (const n of ["sched_process_exec", "sched_switch", "sys_enter"]) expect(TP_BTF_SNAPSHOT).toContain(n);
    expect(JSON.parse(SNAPSHOT_TP_BTF_JSON["sched_process_exec"]!)).toEqual([
      { k: "ptr", to: "task_struct" }, { k: "int", size: 4, signed: true, c: "int" }, { k: "ptr", to: "linux_binprm" },
    ]);
  });

  test("holds every root and what the roots embed", () => {
    for (const r of SNAPSHOT_ROOTS) expect(SNAPSHOT_TYPES.composite(r)).toBeDefined();
    const names = new Set(SNAPSHOT_TYPES.names());
    for (const n of names) {
      for (const m of SNAPSHOT_TYPES.composite(n)!.members) if (m.type.k === "struct") expect(names.has(m.type.name)).toBe(true);
    }
  });

  (live ? test : test.skip)("`whistler btf --update -o FILE` writes the struct snapshot there and the tp_btf prototypes beside it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "whistler-snap-"));
    const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      await btfCommand("dump", undefined, { update: true, out: join(dir, "snapshot.ts") });
      expect(String(write.mock.calls[0]![0])).toMatch(/^wrote \d+ struct layouts \(26 roots and the structs they embed\)/);
      expect(String(write.mock.calls[1]![0])).toMatch(/^wrote the arguments of 27 BTF raw tracepoints/);
      const structs = readFileSync(join(dir, "snapshot.ts"), "utf8");
      expect(structs).toContain('"task_struct": \'{"name":"task_struct"');
      expect(readFileSync(join(dir, "tp-btf-snapshot.ts"), "utf8")).toContain('"sched_process_exec": \'[{"k":"ptr","to":"task_struct"}');
    } finally {
      write.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  (live ? test : test.skip)("matches the running kernel's BTF (regenerated: the same module, on the kernel it came from)", () => {
    const btf = readKernelBtf();
    const ours = btfKernelTypes(btf);
    for (const [s, f] of [["task_struct", "real_parent"], ["task_struct", "tgid"], ["task_struct", "comm"], ["cred", "uid"], ["file", "f_path"], ["dentry", "d_name"]] as const) {
      const a = SNAPSHOT_TYPES.composite(s)!.members.find((m) => m.name === f);
      const b = ours.composite(s)!.members.find((m) => m.name === f);
      expect(a).toEqual(b);
    }
    if (release() === SNAPSHOT_STRUCTS_KERNEL) {
      const committed = readFileSync(new URL("../../transformer/kernel/structs/snapshot.ts", import.meta.url), "utf8");
      expect(structSnapshotModule(snapshotStructs(btf))).toBe(committed);
      const tp = readFileSync(new URL("../../transformer/kernel/structs/tp-btf-snapshot.ts", import.meta.url), "utf8");
      expect(tpBtfSnapshotModule(btf)).toBe(tp);
    }
  });
});
