import { expect, test } from "@jest/globals";
import { setTimeout as sleep } from "node:timers/promises";
import { attachRawTracepoint, load } from "../../loader/index.js";
import { AttachError } from "../../runtime/errors.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "./fixtures.js";

describeKernel("raw_tp_switch_count (clang object): raw tracepoint attach", () => {
  checkNoFdLeaks();

  test("counts context switches while attached", async () => {
    await using obj = await load(fixture("raw_tp_switch_count.bpf.o"));
    const prog = obj.program("count_switch");
    expect(prog.target).toEqual({ kind: "raw_tracepoint", name: "sched_switch" });
    const [link] = obj.attachAll();
    expect(link).toMatchObject({ kind: "raw_tracepoint", target: "sched_switch", attached: true });
    for (let i = 0; i < 5; i++) await sleep(2);
    const total = (obj.map("switches").get(0) as bigint[]).reduce((a, b) => a + b, 0n);
    expect(total).toBeGreaterThan(0n);
    link!.detach();
    expect(() => attachRawTracepoint(prog, "no_such_raw_tp")).toThrow(AttachError);
    expect(() => attachRawTracepoint(prog, "no_such_raw_tp")).toThrow(/no raw tracepoint "no_such_raw_tp"/);
  });
});
