import { describe, expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import { parseObject, sectionDef } from "../../loader/object/index.js";
import { ElfError, NotSupportedError, WhistlerError } from "../../runtime/errors.js";
import { bpf } from "../../runtime/template.js";
import { ElfFile } from "../../loader/elf/index.js";
import { Btf } from "../../loader/btf/index.js";
import { fixture } from "./fixtures.js";

describe("ObjectSpec from clang objects (pure)", () => {
  test("count_opens: license, BTF map, program with relocations", () => {
    const spec = parseObject(fixture("count_opens.bpf.o"));
    expect(spec.license).toBe("GPL");
    expect([...spec.maps.values()]).toEqual([expect.objectContaining({
      name: "counts", type: 1, keySize: 4, valueSize: 8, maxEntries: 10240, flags: 0,
      keyScalar: { size: 4, signed: false, bool: false }, valueScalar: { size: 8, signed: false, bool: false },
    })]);
    expect(spec.maps.get("counts")!.btfKeyTypeId).toBeGreaterThan(0);
    const [p] = spec.programs;
    expect(p).toMatchObject({ name: "count_opens", section: "tracepoint/syscalls/sys_enter_openat" });
    expect(p!.insns.length).toBe(23 * 8);
    expect(p!.mapRelocations).toEqual([{ insn: 7, map: "counts" }, { insn: 17, map: "counts" }]);
  });

  test("BTF DATASECs get their sizes and variable offsets (clang leaves them 0)", () => {
    const spec = parseObject(fixture("legacy_maps.bpf.o"));
    const elf = ElfFile.parse(fixture("legacy_maps.bpf.o"));
    const raw = elf.section(".BTF")!.data;
    const before = Btf.parse(raw).datasec("maps")!;
    const after = Btf.parse(spec.btf!).datasec("maps")!;
    expect(before.size).toBe(0);
    expect(after.size).toBe(40);
    expect(after.vars.map((v) => v.offset).sort((a, b) => a - b)).toEqual([0, 20]);
  });

  test("section names map to program types like libbpf's", () => {
    expect(sectionDef("tracepoint/syscalls/sys_enter_openat")).toMatchObject({ progType: "TRACEPOINT", target: { kind: "tracepoint", group: "syscalls", name: "sys_enter_openat" } });
    expect(sectionDef("tp/sched/sched_switch")).toMatchObject({ progType: "TRACEPOINT" });
    expect(sectionDef("raw_tp/sched_switch")).toMatchObject({ progType: "RAW_TRACEPOINT", target: { kind: "raw_tracepoint", name: "sched_switch" } });
    expect(sectionDef("raw_tracepoint/sys_enter")).toMatchObject({ progType: "RAW_TRACEPOINT" });
    expect(sectionDef("xdp")).toMatchObject({ progType: "XDP", expectedAttachType: 37 });
    expect(sectionDef("tc")).toMatchObject({ progType: "SCHED_CLS" });
    expect(sectionDef("classifier")).toMatchObject({ progType: "SCHED_CLS" });
    expect(sectionDef("socket")).toMatchObject({ progType: "SOCKET_FILTER" });
    expect(sectionDef("kprobe/do_sys_openat2")).toMatchObject({ progType: "KPROBE", target: { kind: "kprobe", symbol: "do_sys_openat2", ret: false } });
    expect(sectionDef("kretprobe/vfs_read")).toMatchObject({ target: { ret: true } });
    expect(sectionDef("uprobe")).toMatchObject({ progType: "KPROBE", target: { kind: "uprobe", ret: false } });
    expect(sectionDef("uretprobe/libc.so.6:malloc")).toMatchObject({ target: { kind: "uprobe", target: "libc.so.6:malloc", ret: true } });
    expect(sectionDef("cgroup_skb/ingress")).toMatchObject({ progType: "CGROUP_SKB", expectedAttachType: 0 });
    expect(sectionDef("cgroup_skb/egress")).toMatchObject({ progType: "CGROUP_SKB", expectedAttachType: 1 });
    expect(sectionDef("perf_event")).toMatchObject({ progType: "PERF_EVENT" });
    // libbpf loads these too; only where they attach is unknown
    expect(sectionDef("tracepoint/nogroup")).toMatchObject({ progType: "TRACEPOINT", target: { kind: "other" } });
    expect(sectionDef("fentry/foo")).toMatchObject({ progType: "TRACING", attachBtf: true, target: { kind: "btf", target: "foo" } });
    expect(sectionDef("xdpfoo")).toBeUndefined();
  });

  test("an unknown program section is an ElfError listing known ones", () => {
    const bytes = fixture("legacy_maps.bpf.o");
    // Rename section "socket" to "sockex" in the section name string table.
    const elf = ElfFile.parse(bytes);
    const sec = elf.section("socket")!;
    const shstr = elf.sections[elf.header.shstrndx]!;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const at = shstr.offset + view.getUint32(elf.header.shoff + sec.index * 64, true);
    const c = bytes.slice();
    c.set(new TextEncoder().encode("sockex"), at);
    let err: unknown;
    try {
      parseObject(c);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ElfError);
    expect((err as ElfError).section).toBe("sockex");
    expect((err as ElfError).offset).toBe(sec.offset);
    expect((err as ElfError).message).toMatch(/unknown program section "sockex"[\s\S]*known sections: socket, [\s\S]*tracepoint\[\/\.\.\.\]/);
  });

  test("load() input errors are typed", async () => {
    await expect(load("/nonexistent/x.bpf.o")).rejects.toThrow(/cannot read object file \/nonexistent\/x.bpf.o: ENOENT/);
    await expect(load(new Uint8Array(10))).rejects.toBeInstanceOf(ElfError);
    // Not compiled at build time: compiled now, or a clear error when the compiler is absent.
    await expect(load(bpf`not a program`)).rejects.toBeInstanceOf(WhistlerError);
    expect(NotSupportedError.prototype).toBeInstanceOf(WhistlerError);
  });
});
