import { describe, expect, test } from "@jest/globals";
import { BpfError } from "../../runtime/errors.js";
import { Scratch } from "../../runtime/sys/scratch.js";
import { mapCreate, mapFreeze, mapUpdateElem, MapElemCalls, progLoad } from "../../runtime/sys/index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

describe("scratch memory (no kernel)", () => {
  test("a lease covers the size asked for, zeroed on request, and the block is reused", () => {
    const s = new Scratch();
    let ptr: bigint;
    {
      using a = s.lease(24, true);
      expect(a.bytes.length).toBe(24);
      expect([...a.bytes].every((x) => x === 0)).toBe(true);
      a.bytes.fill(0xaa);
      ptr = a.ptr;
    }
    using b = s.lease(24, true);
    expect(b.ptr).toBe(ptr);
    expect([...b.bytes].every((x) => x === 0)).toBe(true);
  });

  test("a lease taken while another is out gets its own memory", () => {
    const s = new Scratch();
    using outer = s.lease(16, true);
    using inner = s.lease(16, true);
    expect(inner.ptr).not.toBe(outer.ptr);
    inner.bytes.fill(1);
    expect([...outer.bytes].every((x) => x === 0)).toBe(true);
  });

  test("the block grows for larger calls; very large ones do not stay", () => {
    const s = new Scratch();
    {
      using small = s.lease(8, false);
      expect(small.size).toBe(8);
    }
    {
      using grown = s.lease(100_000, false);
      expect(grown.bytes.length).toBe(100_000);
      grown.bytes[99_999] = 5;
    }
    {
      using huge = s.lease(3 << 20, true);
      expect(huge.bytes.length).toBe(3 << 20);
    }
    using again = s.lease(100_000, false);
    expect(again.bytes[99_999]).toBe(5);
  });
});

describeKernel("pooled bpf() commands (kernel)", () => {
  checkNoFdLeaks();
  const ARRAY = 2;

  test("update and freeze through the shared blocks; a frozen map refuses writes", () => {
    using fd = mapCreate({ type: ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, name: "scratch_test" });
    const value = new Uint8Array(8);
    new DataView(value.buffer).setBigUint64(0, 0x1122334455667788n, true);
    const key = new Uint8Array([3, 0, 0, 0]);
    mapUpdateElem(fd.raw, key, value, 0, { what: "update" });
    using calls = new MapElemCalls(fd.raw, 4, 8, "scratch_test");
    calls.key.bytes.set(key);
    expect(calls.lookup()).toBe(true);
    expect(calls.value.view.getBigUint64(0, true)).toBe(0x1122334455667788n);
    mapFreeze(fd.raw, { what: "freeze" });
    let err: unknown;
    try {
      mapUpdateElem(fd.raw, key, value, 0, { what: "update", epermHint: "frozen" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BpfError);
    expect((err as BpfError).code).toBe("EPERM");
  });

  test("program loads in a row reuse the block and each gets its own instructions", () => {
    // r0 = imm; exit
    const prog = (imm: number): Uint8Array => {
      const b = new Uint8Array(16);
      const v = new DataView(b.buffer);
      b[0] = 0xb7;
      v.setInt32(4, imm, true);
      b[8] = 0x95;
      return b;
    };
    const SOCKET_FILTER = 1;
    for (let i = 0; i < 3; i++) {
      using fd = progLoad({ type: SOCKET_FILTER, insns: prog(i), license: "GPL", name: `scratch_${i}` });
      expect(fd.raw).toBeGreaterThan(0);
    }
    // A license that is not ASCII still ends in NUL inside the block.
    using fd = progLoad({ type: SOCKET_FILTER, insns: prog(0), license: "GPL \u00e9", name: "scratch_utf8" });
    expect(fd.raw).toBeGreaterThan(0);
  });
});
