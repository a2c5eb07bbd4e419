// spin_lock/spin_unlock on a bpf_spin_lock field of a map value struct, in the kernel: the
// object's BTF describes the lock so the verifier accepts the calls, and two fields updated
// under the lock stay consistent over many test runs.
import { expect, test } from "@jest/globals";
import { bpf, defstruct, u32, u64, ArrayMap, load } from "../../index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

const SpinLock = defstruct("bpf_spin_lock", { val: u32 });
const Totals = defstruct("totals", { lock: SpinLock, packets: u64, bytes: u64 });
const totals = new ArrayMap({ value: Totals, maxEntries: 1, name: "totals" });

const prog = bpf`
  export function locked(ctx: Xdp): i32 {
    const d = ctx.data;
    if (d + 2 > ctx.data_end) return XDP_PASS;
    const len = ntohs(load_u16(d, 0));
    const t = ${totals}.lookup(0);
    if (!t) return XDP_PASS;
    spin_lock(t.lock);
    t.packets += 1;
    t.bytes += len;
    spin_unlock(t.lock);
    return XDP_PASS;
  }
`;

describeKernel("spin locks on map values", () => {
  checkNoFdLeaks();

  test("the verifier accepts the lock; fields updated under it add up", async () => {
    await using obj = await load(prog);
    const data = new Uint8Array(64);
    data[1] = 100;
    const r = obj.programs.get("locked")!.testRun({ data, repeat: 1000 });
    expect(r.retval).toBe(2);
    const t = obj.map(totals).get(0)!;
    expect(t.packets).toBe(1000n);
    expect(t.bytes).toBe(100_000n);
  });
});
