import { describe, expect, test } from "@jest/globals";
import { BpfError } from "../../runtime/errors.js";
import { bpf, BpfCmd, MapElemAttr, progTestRunAsync, NativeBuffer, parseCpuList, possibleCpus, syscallNumbers, Fd, mapCreate, mapInfo, MapElemCalls } from "../../runtime/sys/index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

describe("sys (no kernel objects)", () => {
  test("syscall numbers per architecture", () => {
    expect(syscallNumbers("x64")).toEqual({ bpf: 321, perfEventOpen: 298 });
    expect(syscallNumbers("arm64")).toEqual({ bpf: 280, perfEventOpen: 241 });
    expect(() => syscallNumbers("mips")).toThrow(/no bpf\(2\) syscall numbers for architecture "mips"/);
  });

  test("CPU lists", () => {
    expect(parseCpuList("0-3\n")).toBe(4);
    expect(parseCpuList("0,2-3,7")).toBe(4);
    expect(parseCpuList("0")).toBe(1);
    expect(() => parseCpuList("0-x")).toThrow(/cannot parse CPU list/);
    expect(possibleCpus()).toBeGreaterThanOrEqual(1);
  });

  test("native buffers are zeroed, viewable and freed once", () => {
    const b = new NativeBuffer(32);
    expect(b.ptr).not.toBe(0n);
    expect([...b.bytes].every((x) => x === 0)).toBe(true);
    b.view.setUint32(0, 7, true);
    expect(b.bytes[0]).toBe(7);
    b[Symbol.dispose]();
    b[Symbol.dispose]();
    expect(b.freed).toBe(true);
    expect(NativeBuffer.from("ab").bytes).toEqual(new Uint8Array([97, 98, 0]));
  });

  test("a bad fd is a typed error with errno name and command", () => {
    using attr = new NativeBuffer(MapElemAttr.size);
    attr.view.setUint32(MapElemAttr.map_fd, 0x7ffffff0, true);
    let err: unknown;
    try {
      bpf(BpfCmd.MAP_LOOKUP_ELEM, attr.ptr, MapElemAttr.size, { what: "lookup" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BpfError);
    expect((err as BpfError).code).toBe("EBADF");
    expect((err as BpfError).message).toBe("lookup: BPF_MAP_LOOKUP_ELEM failed: EBADF (bad file descriptor)");
    expect(bpf(BpfCmd.MAP_LOOKUP_ELEM, attr.ptr, MapElemAttr.size, { tolerate: 9 })).toBe(-9);
  });

  test("a failed call on a worker thread still names its errno", async () => {
    const err = await progTestRunAsync(0x7ffffff0, new Uint8Array(64), 1).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BpfError);
    expect((err as BpfError).code).toBe("EBADF");
    expect((err as BpfError).message).toBe("test run: BPF_PROG_TEST_RUN failed: EBADF (bad file descriptor)");
  });
});

describeKernel("sys (kernel)", () => {
  checkNoFdLeaks();

  test("map create, element calls, Fd close is idempotent", () => {
    using fd = mapCreate({ type: 1, keySize: 4, valueSize: 8, maxEntries: 4, name: "a-very-long-map-name-indeed" });
    expect(fd.raw).toBeGreaterThan(2);
    // Names are cut to 15 bytes and limited to [A-Za-z0-9_.].
    expect(mapInfo(fd.raw)).toMatchObject({ name: "a_very_long_map", type: 1, keySize: 4, valueSize: 8, maxEntries: 4 });
    {
      using calls = new MapElemCalls(fd.raw, 4, 8, "test map");
      calls.key.view.setUint32(0, 5, true);
      expect(calls.lookup()).toBe(false);
      calls.value.view.setBigUint64(0, 99n, true);
      calls.update(0);
      calls.value.view.setBigUint64(0, 0n, true);
      expect(calls.lookup()).toBe(true);
      expect(calls.value.view.getBigUint64(0, true)).toBe(99n);
      expect(() => calls.update(1)).toThrow(/test map: update: BPF_MAP_UPDATE_ELEM failed: EEXIST/);
      expect(calls.next(true)).toBe(true);
      expect(calls.nextKey.view.getUint32(0, true)).toBe(5);
      expect(calls.delete()).toBe(true);
      expect(calls.delete()).toBe(false);
    }
    fd.close();
    fd[Symbol.dispose]();
    expect(fd.closed).toBe(true);
    expect(() => fd.raw).toThrow(/map a-very-long-map-name-indeed is closed/);
    expect(() => new Fd(-1, "x")).toThrow(/invalid file descriptor/);
  });

  test("map create errors name the map and command", () => {
    expect(() => mapCreate({ type: 1, keySize: 0, valueSize: 8, maxEntries: 4, name: "zero_key" }))
      .toThrow(/create map "zero_key": BPF_MAP_CREATE failed: EINVAL/);
  });
});
