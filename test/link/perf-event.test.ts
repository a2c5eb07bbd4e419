import { expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import { attachPerfEvent, cpuListMembers, onlineCpus } from "../../loader/link/index.js";
import { checkNoFdLeaks, openFds } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";

function spin(ms: number): void {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
}

test("CPU lists", () => {
  expect(cpuListMembers("0-3,5,7-8\n")).toEqual([0, 1, 2, 3, 5, 7, 8]);
  expect(cpuListMembers("0")).toEqual([0]);
  expect(() => cpuListMembers("a-b")).toThrow(/cannot parse CPU list/);
});

describeKernel("perf_event: CPU clock sampling on every CPU", () => {
  checkNoFdLeaks();

  test("the program runs on samples while attached, not after", async () => {
    await using obj = await load(fixture("attach_kinds.bpf.o"));
    const hits = obj.map<number, bigint>("hits");
    const before = openFds().size;
    {
      using link = attachPerfEvent(obj.program("on_sample"), { frequency: 1000 });
      // One perf event and one bpf link per CPU.
      expect(openFds().size - before).toBe(2 * onlineCpus().length);
      expect(link.target).toBe(`${onlineCpus().length} CPUs at 1000 Hz`);
      spin(300);
      expect(hits.get(0)).toBeGreaterThan(50n);
    }
    const after = hits.get(0)!;
    spin(100);
    expect(hits.get(0)).toBe(after);
  });

  test("attachAll() samples at the default frequency; bad frequencies are refused", async () => {
    await using obj = await load(fixture("attach_kinds.bpf.o"));
    using link = obj.program("on_sample").attach({ frequency: 99 });
    expect(link.kind).toBe("perf_event");
    expect(() => obj.program("on_sample").attach({ frequency: 0 })).toThrow(/sampling frequency 0 must be a positive integer/);
  });
});
