import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { spawn } from "node:child_process";
import { mkdirSync, rmdirSync } from "node:fs";
import { load } from "../../loader/index.js";
import { attachCgroup, cgroup2Mount } from "../../loader/link/index.js";
import { AttachError } from "../../runtime/errors.js";
import { AttachType } from "../../runtime/sys/index.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";

let cg = "";

/** A child process that joins the cgroup, then sends `n` UDP datagrams of `size` bytes over loopback. */
async function sendFromCgroup(n: number, size: number): Promise<void> {
  const payload = "x".repeat(size);
  const script = `echo $$ > ${cg}/cgroup.procs && exec bash -c 'for i in $(seq ${n}); do echo -n ${payload} > /dev/udp/127.0.0.1/40123; done'`;
  const child = spawn("sh", ["-c", script], { stdio: ["ignore", "ignore", "inherit"] });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  expect(code).toBe(0);
}

describeKernel("cgroup attach: cgroup_skb and sock hooks by cgroup path", () => {
  checkNoFdLeaks();
  beforeAll(() => {
    cg = `${cgroup2Mount() ?? "/sys/fs/cgroup/unified"}/whistler-test-${process.pid}`;
    mkdirSync(cg, { recursive: true });
  });
  afterAll(() => rmdirSync(cg));

  test("cgroup_egress_bytes (clang) counts exactly the child's UDP bytes and packets", async () => {
    await using obj = await load(fixture("cgroup_egress_bytes.bpf.o"));
    const totals = obj.map<number, bigint>("totals");
    const links = obj.attachAll({ cgroup: cg });
    expect(links.map((l) => l.kind)).toEqual(["cgroup"]);
    expect(links[0]!.target).toBe(`${cg} (cgroup_inet_egress)`);
    await sendFromCgroup(5, 100);
    // skb->len at IPv4 egress: 20 (IP) + 8 (UDP) + payload.
    expect(totals.get(1)).toBe(5n);
    expect(totals.get(0)).toBe(5n * 128n);
    links[0]!.detach();
    await sendFromCgroup(2, 100);
    expect(totals.get(1)).toBe(5n);
  });

  test("sock_create and connect4 hooks, by relative path", async () => {
    await using obj = await load(fixture("attach_kinds.bpf.o"));
    const hits = obj.map<number, bigint>("hits");
    const relative = cg.slice((cgroup2Mount() ?? "").length + 1);
    using _a = obj.program("on_sock_create").attach({ cgroup: relative });
    using _b = obj.program("on_connect4").attach({ cgroup: cg });
    await sendFromCgroup(3, 10);
    expect(hits.get(1)).toBe(3n); // one UDP socket per datagram
    expect(hits.get(2)).toBe(3n); // bash connects each one
  });

  test("errors: missing cgroup option, missing directory, wrong hook", async () => {
    await using obj = await load(fixture("cgroup_egress_bytes.bpf.o"));
    const prog = obj.program("egress_bytes");
    expect(() => obj.attachAll()).toThrow(/attachAll\(\{ cgroup: "\/sys\/fs\/cgroup\/unified\/my.slice" \}\)/);
    expect(() => prog.attach({ cgroup: `${cg}/nope` })).toThrow(/cannot open cgroup .*nope \(ENOENT\)/);
    expect(() => attachCgroup(prog, { path: cg, attachType: AttachType.CGROUP_INET4_CONNECT })).toThrow(AttachError);
    expect(() => attachCgroup(prog, { path: "/tmp", attachType: AttachType.CGROUP_INET_EGRESS })).toThrow(/not on cgroup2/);
  });
});
