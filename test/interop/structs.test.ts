// Structs, arrays and the map methods of ring buffers and queues, run in the kernel
// (BPF_PROG_TEST_RUN on an XDP program) through our loader: stack struct locals with nested
// structs and bounded array indexes, records copied into a ring buffer and read back decoded
// with the same defstruct, queue push/pop, and signed narrow fields.
import { expect, test } from "@jest/globals";
import { bpf, defstruct, array, char, u8, u16, u32, u64, i8, i32, RingBuf, QueueMap, load } from "../../index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

const Inner = defstruct("inner", { a: u16, b: i8, c: u64 });
const Outer = defstruct("outer", { tag: u8, inner: Inner, vals: array(u32, 8), name: char(8) });
const records = new RingBuf({ maxEntries: 4096, name: "records" });
const jobs = new QueueMap({ value: u32, maxEntries: 16, name: "jobs" });

const prog = bpf`
  export function structs(ctx: Xdp): i32 {
    const d = ctx.data;
    if (d + 2 > ctx.data_end) return -1;
    const i = load_u8(d, 0) & 7;
    let s: ${Outer};
    s.tag = 7;
    s.inner.a = 0xffff;
    s.inner.b = -3;
    s.inner.c = 1 << 40;
    s.vals[i] = 100;
    s.vals[0] += 5;
    s.name[0] = 104;
    s.name[1] = 105;
    ${records}.output(s);
    ${jobs}.push(s.vals[i] + load_u8(d, 1));
    const v = ${jobs}.pop();
    if (v === null) return -2;
    return (s.inner.b as i32) * 1000 + (v[0] as i32);
  }
`;

describeKernel("structs and ring buffer/queue methods in the kernel", () => {
  checkNoFdLeaks();

  test("stack struct fields, nested structs, indexed arrays; records decode with the same defstruct", async () => {
    await using obj = await load(prog);
    using rb = obj.ringBuf(records, Outer);
    const p = obj.programs.get("structs")!;
    const results: number[] = [];
    for (const [i, extra] of [[0, 1], [3, 2], [7, 9], [12, 0]] as const) {
      const data = new Uint8Array(64);
      data[0] = i;
      data[1] = extra;
      results.push(p.testRun({ data }).retval | 0);
    }
    // index 12 & 7 = 4; vals[0] is 105 when i is 0 (100 + 5)
    expect(results).toEqual([-3000 + 106, -3000 + 102, -3000 + 109, -3000 + 100]);
    const got: unknown[] = [];
    rb.consume((r) => got.push(r));
    expect(got.length).toBe(4);
    const first = got[0] as { tag: number; inner: { a: number; b: number; c: bigint }; vals: number[]; name: string };
    expect(first.tag).toBe(7);
    expect(first.inner).toEqual({ a: 0xffff, b: -3, c: 1n << 40n });
    expect([...first.vals]).toEqual([105, 0, 0, 0, 0, 0, 0, 0]);
    expect(first.name).toBe("hi");
    const last = got[3] as typeof first;
    expect([...last.vals]).toEqual([5, 0, 0, 0, 100, 0, 0, 0]);
  });
});
