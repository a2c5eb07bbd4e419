import { expect, test } from "@jest/globals";
import { closeSync, openSync } from "node:fs";
import { load, type Link } from "../../loader/index.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixturePath } from "./fixtures.js";

describeKernel("count_opens (clang object): load, attachAll, read the map", () => {
  checkNoFdLeaks();

  test("counts this process's openat calls", async () => {
    await using obj = await load(fixturePath("count_opens.bpf.o"));
    const prog = obj.program("count_opens");
    expect(prog).toMatchObject({ type: "TRACEPOINT", section: "tracepoint/syscalls/sys_enter_openat", insnCount: 23 });
    expect(prog.target).toEqual({ kind: "tracepoint", group: "syscalls", name: "sys_enter_openat" });
    const info = prog.info();
    expect(info.id).toBeGreaterThan(0);
    expect(info.xlatedInsns).toBeGreaterThanOrEqual(23);
    expect(info.jitedBytes).toBeGreaterThan(0);
    expect(info.verifiedInsns).toBeGreaterThan(0);

    const links: Link[] = obj.attachAll();
    expect(links.map((l) => [l.kind, l.target, l.attached])).toEqual([["tracepoint", "syscalls/sys_enter_openat", true]]);
    const opens = 25;
    for (let i = 0; i < opens; i++) closeSync(openSync("/proc/self/status", "r"));

    const counts = obj.map("counts");
    expect(counts.info).toMatchObject({ name: "counts", type: 1, keySize: 4, valueSize: 8, maxEntries: 10240, cpus: 1 });
    const mine = counts.get(process.pid);
    // Codecs came from the object's BTF: u32 keys are numbers, u64 values bigints.
    expect(typeof mine).toBe("bigint");
    expect(mine as bigint).toBeGreaterThanOrEqual(BigInt(opens));
    expect([...counts.keys()]).toContain(process.pid);

    // Detaching stops the counting.
    links[0]!.detach();
    expect(links[0]!.attached).toBe(false);
    const before = counts.get(process.pid) as bigint;
    for (let i = 0; i < 5; i++) closeSync(openSync("/proc/self/status", "r"));
    expect(counts.get(process.pid)).toBe(before);
  });

  test("dispose is idempotent and closes maps, programs, links", async () => {
    const obj = await load(fixturePath("count_opens.bpf.o"));
    obj.attachAll();
    const m = obj.map("counts");
    obj[Symbol.dispose]();
    await obj[Symbol.asyncDispose]();
    expect(() => m.get(1)).toThrow(/map "counts" is closed/);
    expect(() => obj.program("count_opens")).toThrow(/disposed/);
  });
});
