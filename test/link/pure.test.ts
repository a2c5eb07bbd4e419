import { describe, expect, test } from "@jest/globals";
import {
  ackErrno, attachAllOptionsFor, cgroup2Mount, delFilterMessage, filterTcMsg, ldconfigEntries, libraryMatches, mappedFiles,
  newBpfFilterMessage, newClsactMessage, parseUprobeSpec, rtattr, tcDirectionOfSection, vaddrToOffset,
} from "../../loader/link/index.js";
import { AttachError } from "../../runtime/errors.js";

describe("uprobe targets", () => {
  test("binary:symbol, binary:symbol+off, binary:offset", () => {
    expect(parseUprobeSpec("/bin/bash:readline")).toEqual({ binary: "/bin/bash", symbol: "readline", offset: 0 });
    expect(parseUprobeSpec("libc.so.6:malloc+0x10")).toEqual({ binary: "libc.so.6", symbol: "malloc", offset: 16 });
    expect(parseUprobeSpec("/usr/bin/x:0x1234")).toEqual({ binary: "/usr/bin/x", offset: 0x1234 });
    expect(parseUprobeSpec("c:4660")).toEqual({ binary: "c", offset: 4660 });
    expect(() => parseUprobeSpec("/bin/bash")).toThrow(/expected binary:symbol or binary:offset/);
    expect(() => parseUprobeSpec("/bin/bash:foo bar")).toThrow(/neither a symbol name nor an offset/);
  });

  test("library names", () => {
    expect(libraryMatches("libc.so.6", "c")).toBe(true);
    expect(libraryMatches("libc.so.6", "libc")).toBe(true);
    expect(libraryMatches("libc.so.6", "libc.so.6")).toBe(true);
    expect(libraryMatches("libc.so.6", "libc.so")).toBe(true);
    expect(libraryMatches("libcap.so.2", "c")).toBe(false);
    expect(libraryMatches("libcrypto.so.3", "libc")).toBe(false);
  });

  test("/proc/pid/maps and ldconfig -p", () => {
    const maps = [
      "7f0000000000-7f0000028000 r--p 00000000 08:01 1234    /usr/lib/x86_64-linux-gnu/libc.so.6",
      "7f0000028000-7f000019d000 r-xp 00028000 08:01 1234    /usr/lib/x86_64-linux-gnu/libc.so.6",
      "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0       [stack]",
      "7f1000000000-7f1000001000 r-xp 00000000 08:01 99      /tmp/gone (deleted)",
    ].join("\n");
    expect(mappedFiles(maps)).toEqual(["/usr/lib/x86_64-linux-gnu/libc.so.6"]);
    const ld = "2 libs found in cache `/etc/ld.so.cache'\n\tlibc.so.6 (libc6) => /usr/lib/i386-linux-gnu/libc.so.6\n\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6\n";
    expect(ldconfigEntries(ld, "x64")[0]).toEqual({ name: "libc.so.6", path: "/lib/x86_64-linux-gnu/libc.so.6" });
  });

  test("virtual address to file offset through PT_LOAD segments", () => {
    const segs = [{ vaddr: 0, memsz: 0x1000, offset: 0, filesz: 0x1000 }, { vaddr: 0x401000, memsz: 0x2000, offset: 0x1000, filesz: 0x2000 }];
    expect(vaddrToOffset(segs, 0x401234)).toBe(0x1234);
    expect(vaddrToOffset(segs, 0x900000)).toBeUndefined();
  });
});

describe("rtnetlink messages for clsact and cls_bpf", () => {
  test("attributes are padded to 4 bytes", () => {
    expect([...rtattr(1, new TextEncoder().encode("bpf\0"))]).toEqual([8, 0, 1, 0, 98, 112, 102, 0]);
    expect(rtattr(1, new Uint8Array(5)).length).toBe(12);
  });

  test("clsact qdisc and filter headers", () => {
    const q = newClsactMessage(7, 3);
    const v = new DataView(q.buffer);
    expect(v.getUint32(0, true)).toBe(q.length);
    expect(v.getUint16(4, true)).toBe(36); // RTM_NEWQDISC
    expect(v.getUint16(6, true)).toBe(0x1 | 0x4 | 0x400 | 0x200);
    expect(v.getUint32(8, true)).toBe(7);
    expect(v.getInt32(20, true)).toBe(3);
    expect(v.getUint32(24, true)).toBe(0xffff0000);
    expect(v.getUint32(28, true)).toBe(0xfffffff1);
    expect(new TextDecoder().decode(q.subarray(40, 46))).toBe("clsact");

    const slot = filterTcMsg(3, "egress", 1, 2);
    expect(slot).toEqual({ ifindex: 3, handle: 2, parent: 0xfffffff3, info: 0x00010300 });
    const f = newBpfFilterMessage(8, slot, 42, "prog");
    const fv = new DataView(f.buffer);
    expect(fv.getUint16(4, true)).toBe(44); // RTM_NEWTFILTER
    expect(fv.getUint32(32, true)).toBe(0x00010300);
    // TCA_OPTIONS (nested) holds TCA_BPF_FD = 42 first
    const opts = 36 + 8;
    expect(fv.getUint16(opts + 2, true)).toBe(2 | 0x8000);
    expect(fv.getUint16(opts + 6, true)).toBe(6);
    expect(fv.getUint32(opts + 8, true)).toBe(42);
    expect(new DataView(delFilterMessage(9, slot).buffer).getUint16(4, true)).toBe(45);
  });

  test("acks: errno of the matching sequence", () => {
    const ack = new Uint8Array(36);
    const v = new DataView(ack.buffer);
    v.setUint32(0, 36, true);
    v.setUint16(4, 2, true);
    v.setUint32(8, 5, true);
    v.setInt32(16, -17, true);
    expect(ackErrno(ack, 5)).toBe(17);
    expect(ackErrno(ack, 6)).toBeUndefined();
    v.setInt32(16, 0, true);
    expect(ackErrno(ack, 5)).toBe(0);
  });
});

describe("attach options", () => {
  const prog = (target: Parameters<typeof attachAllOptionsFor>[0]["target"], section = "x") => ({ name: "p", fd: undefined as never, section, target });

  test("tc direction from the section", () => {
    expect(tcDirectionOfSection("tc/egress")).toBe("egress");
    expect(tcDirectionOfSection("tcx/ingress")).toBe("ingress");
    expect(tcDirectionOfSection("tc")).toBeUndefined();
  });

  test("attachAll: each kind's option, false to skip, skip by name, a clear error when missing", () => {
    expect(attachAllOptionsFor(prog({ kind: "tc" }), { tc: { ifname: "eth0" } })).toEqual({ ifname: "eth0", direction: undefined, tcMode: undefined });
    expect(attachAllOptionsFor(prog({ kind: "tc" }), { tc: false })).toBeUndefined();
    expect(attachAllOptionsFor(prog({ kind: "tracepoint", group: "a", name: "b" }), { skip: ["p"] })).toBeUndefined();
    expect(attachAllOptionsFor(prog({ kind: "uprobe", target: "c:malloc", ret: false }), {})).toEqual({ target: undefined, pid: undefined });
    expect(() => attachAllOptionsFor(prog({ kind: "uprobe", target: "", ret: false }), {})).toThrow(/attachAll\(\{ uprobe: \{ target: "\/path\/to\/binary:function" \} \}\)/);
    expect(() => attachAllOptionsFor(prog({ kind: "cgroup", attachType: 10 }), {})).toThrow(AttachError);
    expect(attachAllOptionsFor(prog({ kind: "perf_event" }), {})).toEqual({ frequency: undefined, period: undefined });
  });

  test("cgroup2 mount point from /proc/self/mounts", () => {
    expect(cgroup2Mount("tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n")).toBe("/sys/fs/cgroup/unified");
    expect(cgroup2Mount("proc /proc proc rw 0 0\n")).toBeUndefined();
  });
});
