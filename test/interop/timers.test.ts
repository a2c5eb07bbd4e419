// BPF timers on the kernel: an XDP test run arms a timer in an array map value (its BTF names
// struct bpf_timer); the callback, a template function, writes the value; TypeScript sees the
// write within a bounded wait. Also: a second timer_init on the same timer is -EBUSY.
import { expect, test } from "@jest/globals";
import { bpf, defstruct, array, u32, u64, i64, ArrayMap, HashMap, load } from "../../index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

const BpfTimer = defstruct("bpf_timer", { opaque: array(u64, 2) });
const Slot = defstruct("timer_slot", { timer: BpfTimer, armed: u64, fired: u64, fires: u32 });
const slots = new ArrayMap({ value: Slot, maxEntries: 1, name: "slots" });
const results = new ArrayMap({ value: i64, maxEntries: 4, name: "results" });

const prog = bpf`
  function fired(map: u64, key: u64, v: ${Slot}): i64 {
    v.fired = ktime_get_ns();
    v.fires += 1;
    return 0;
  }

  export function arm(ctx: Xdp): i32 {
    const v = ${slots}.lookup(0);
    if (!v) return XDP_ABORTED;
    ${results}.update(0, timer_init(v.timer, ${slots}, CLOCK_MONOTONIC));
    ${results}.update(1, timer_init(v.timer, ${slots}, CLOCK_MONOTONIC));
    ${results}.update(2, timer_set_callback(v.timer, fired));
    v.armed = ktime_get_ns();
    ${results}.update(3, timer_start(v.timer, 1000000, 0));
    return XDP_PASS;
  }
`;

// A hash map's timer, started and cancelled before it fires: the callback never runs.
const pending = new HashMap({ key: u32, value: Slot, maxEntries: 4, name: "pending" });
const cancelled = bpf`
  function fired(map: u64, key: u64, v: ${Slot}): i64 {
    v.fires += 1;
    return 0;
  }
  export function arm_and_cancel(ctx: Xdp): i32 {
    let s: ${Slot};
    ${pending}.update(7, s);
    const v = ${pending}.lookup(7);
    if (!v) return XDP_ABORTED;
    timer_init(v.timer, ${pending}, CLOCK_MONOTONIC);
    timer_set_callback(v.timer, fired);
    timer_start(v.timer, 50000000, 0);
    ${results}.update(0, timer_cancel(v.timer));
    ${results}.update(1, timer_cancel(v.timer));
    return XDP_PASS;
  }
`;

describeKernel("BPF timers", () => {
  checkNoFdLeaks();

  test("a timer armed from a test run fires its callback, which writes the map value", async () => {
    await using obj = await load(prog);
    const r = obj.programs.get("arm")!.testRun({ data: new Uint8Array(64) });
    expect(r.retval).toBe(2);
    const res = [0, 1, 2, 3].map((i) => obj.map(results).get(i));
    expect(res).toEqual([0n, -16n /* -EBUSY */, 0n, 0n]);
    const deadline = Date.now() + 3000;
    let v = obj.map(slots).get(0)!;
    while (v.fires === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      v = obj.map(slots).get(0)!;
    }
    expect(v.fires).toBe(1);
    // 1 ms after arming, on the same clock.
    expect(v.fired - v.armed).toBeGreaterThanOrEqual(1_000_000n);
  });

  test("timer_cancel stops a started timer in a hash map value: 1, then 0, and no callback", async () => {
    await using obj = await load(cancelled);
    expect(obj.programs.get("arm_and_cancel")!.testRun({ data: new Uint8Array(64) }).retval).toBe(2);
    expect([obj.map(results).get(0), obj.map(results).get(1)]).toEqual([1n, 0n]);
    await new Promise((r) => setTimeout(r, 150));
    expect(obj.map(pending).get(7)!.fires).toBe(0);
  });
});
