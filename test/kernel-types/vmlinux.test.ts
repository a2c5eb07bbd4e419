// Kernel struct layouts from the running kernel's vmlinux BTF.
import { describe, expect, test } from "@jest/globals";
import { existsSync } from "node:fs";
import { Btf } from "../../loader/btf/index.js";
import { CoreCandidates, CoreReloKind, resolveCoreRelo } from "../../loader/reloc/core.js";
import { BtfBuilder } from "../loader/btf-builder.js";
import { kernelStruct, readKernelBtf, searchTypes, VMLINUX_BTF } from "../../transformer/kernel/vmlinux.js";

(existsSync(VMLINUX_BTF) ? describe : describe.skip)("vmlinux BTF", () => {
  const btf = readKernelBtf();

  test("task_struct: pid, tgid and comm where the kernel has them", () => {
    const t = kernelStruct(btf, "task_struct")!;
    expect(t.kind).toBe("struct");
    expect(t.size).toBeGreaterThan(1000);
    const by = Object.fromEntries(t.fields.map((f) => [f.name, f]));
    expect(by.pid).toMatchObject({ cType: "pid_t", size: 4 });
    expect(by.tgid!.offset).toBe(by.pid!.offset + 4);
    expect(by.comm).toMatchObject({ cType: "char[16]", size: 16 });
  });

  test("anonymous members are flattened; bitfields keep their bits", () => {
    const sk = kernelStruct(btf, "sk_buff")!;
    expect(sk.fields.some((f) => f.name === "len")).toBe(true);
    expect(sk.fields.some((f) => f.bitfieldSize > 0)).toBe(true);
  });

  test("unknown names, search, and a missing file", () => {
    expect(kernelStruct(btf, "no_such_struct_xyz")).toBeUndefined();
    expect(searchTypes(btf, "task_struct").map((t) => t.name)).toContain("task_struct");
    expect(() => readKernelBtf("/nonexistent/vmlinux")).toThrow(/cannot read kernel BTF \/nonexistent\/vmlinux \(ENOENT\)/);
  });

  test("CO-RE: a local task_struct { int pid; int tgid; } resolves to the running kernel's offsets", () => {
    const b = new BtfBuilder();
    const int = b.int("int", 4, true);
    b.type("task_struct___local", 4, 2, 8, [b.str("pid"), int, 0, b.str("tgid"), int, 32]);
    const local = Btf.parse(b.build());
    const cands = new CoreCandidates(btf);
    const t = kernelStruct(btf, "task_struct")!;
    const off = (n: string) => t.fields.find((f) => f.name === n)!.offset;
    const r = (access: string) => resolveCoreRelo(local, { insnOff: 0, typeId: 2, access, kind: CoreReloKind.FIELD_BYTE_OFFSET }, cands);
    expect(r("0:0")).toMatchObject({ localValue: 0, targetValue: off("pid"), poisoned: false });
    expect(r("0:1")).toMatchObject({ localValue: 4, targetValue: off("tgid") });
  });
});
