/**
 * End to end on the real kernel: a tracepoint program written in TypeScript is compiled,
 * loaded, attached, triggered by real openat() calls, and its map read back typed.
 */
import { closeSync, openSync } from "node:fs";
import { expect, test } from "@jest/globals";
import { bpf, HashMap, u32, u64, load } from "../../index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

const counts = new HashMap({ key: u32, value: u64, maxEntries: 10240, name: "counts" });
const countOpens = bpf`
  export function count_opens(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
    const pid = (get_current_pid_tgid() >> 32n) as u32;
    ${counts}.increment(pid);
    return 0;
  }
`;

describeKernel("count_opens on sys_enter_openat", () => {
  checkNoFdLeaks();

  test("counts this process's openat() calls per pid", async () => {
    await using obj = await load(countOpens);
    const links = obj.attachAll();
    expect(links.length).toBe(1);
    const opens = obj.map(counts);
    const before = opens.get(process.pid) ?? 0n;
    const N = 50;
    for (let i = 0; i < N; i++) closeSync(openSync("/proc/self/status", "r"));
    const after = opens.get(process.pid);
    expect(typeof after).toBe("bigint");
    expect((after ?? 0n) - before).toBeGreaterThanOrEqual(BigInt(N));
    // other processes are counted too, under their own pids
    const pids = [...opens.keys()];
    expect(pids).toContain(process.pid);
    for (const pid of pids) expect(Number.isInteger(pid) && pid > 0).toBe(true);
  });

  test("after dispose the program is detached: counts stop growing", async () => {
    let opens: ReturnType<typeof load> extends Promise<infer O> ? O : never;
    {
      await using obj = await load(countOpens);
      obj.attachAll();
      closeSync(openSync("/proc/self/status", "r"));
      opens = obj;
      expect(obj.map(counts).get(process.pid)).toBeDefined();
    }
    // disposed: using the object again is an error, not a crash
    expect(() => opens.map(counts).get(process.pid)).toThrow(/closed|disposed/i);
  });
});
