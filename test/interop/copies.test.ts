// Struct and byte copies and addresses in the kernel: `r.a = p` copies a stack struct into a
// map value's struct field, `q = r.a` copies it back, `copy(dst, src, n)` copies bytes from
// a field into an array, `addr(r.comm)` hands a map value field to a helper. TypeScript reads
// the record back through the same defstruct.
import { readFileSync } from "node:fs";
import { expect, test } from "@jest/globals";
import { bpf, defstruct, array, u8, u32, u64, ArrayMap, load } from "../../index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

const Pair = defstruct("pair", { lo: u64, hi: u32, tag: u8 });
const Rec = defstruct("rec", { a: Pair, b: Pair, raw: array(u8, 8), comm: u64 });
const recs = new ArrayMap({ value: Rec, maxEntries: 1, name: "recs" });

const prog = bpf`
  export function copies(ctx: Xdp): i32 {
    const d = ctx.data;
    if (d + 16 > ctx.data_end) return 1;
    const r = ${recs}.lookup(0);
    if (!r) return 2;
    let p: ${Pair};
    p.lo = load_u64(d, 0);
    p.hi = load_u32(d, 8);
    p.tag = load_u8(d, 12);
    r.a = p;
    let q: ${Pair};
    q = r.a;
    q.tag += 1;
    r.b = q;
    copy(r.raw, addr(r.a.lo), 8);
    get_current_comm(addr(r.comm));
    return q.tag as i32;
  }
`;

describeKernel("struct and byte copies, addresses of fields", () => {
  checkNoFdLeaks();

  test("copies land byte for byte; a helper fills a field through addr()", async () => {
    await using obj = await load(prog);
    const data = new Uint8Array(64);
    const dv = new DataView(data.buffer);
    dv.setBigUint64(0, 0x1122334455667788n, true);
    dv.setUint32(8, 0xdeadbeef, true);
    data[12] = 41;
    expect(obj.programs.get("copies")!.testRun({ data }).retval).toBe(42);
    const r = obj.map(recs).get(0)!;
    expect(r.a).toEqual({ lo: 0x1122334455667788n, hi: 0xdeadbeef, tag: 41 });
    expect(r.b).toEqual({ lo: 0x1122334455667788n, hi: 0xdeadbeef, tag: 42 });
    expect([...r.raw]).toEqual([0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
    // The helper wrote the first 8 bytes of this thread's command name (NUL-padded).
    const comm = new Uint8Array(8);
    comm.set(new TextEncoder().encode(readFileSync("/proc/thread-self/comm", "utf8").trim()).subarray(0, 7));
    const got = new Uint8Array(8);
    new DataView(got.buffer).setBigUint64(0, r.comm, true);
    expect(Buffer.from(got).toString("latin1")).toBe(Buffer.from(comm).toString("latin1"));
  });
});
