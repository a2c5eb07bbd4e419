import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { load } from "../../loader/index.js";
import { openPinned, pinFd, unpin } from "../../loader/pin/index.js";
import { AttachError, VerifierError, WhistlerError } from "../../runtime/errors.js";
import { mapCreate } from "../../runtime/sys/index.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";
import { udpSocket } from "./sockets.js";

const dir = `/sys/fs/bpf/whistler-test-${process.pid}`;
const BPF_MAP_TYPE_HASH = 1;
const BPF_MAP_TYPE_PERCPU_ARRAY = 6;

const total = (v: unknown): bigint => (v as bigint[]).reduce((a, b) => a + b, 0n);

describeKernel("pinning in bpffs: links, programs, maps reused by name", () => {
  checkNoFdLeaks();
  beforeAll(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("a pinned link stays attached after dispose until unpinned; maps are shared through pinMaps", async () => {
    {
      await using obj = await load(fixture("raw_tp_switch_count.bpf.o"), { pinMaps: `${dir}/maps` });
      expect(statSync(`${dir}/maps/switches`).mode & 0o777).toBe(0o600);
      const [link] = obj.attachAll();
      link!.pin(`${dir}/link`);
      expect(link!.pinnedAt).toBe(`${dir}/link`);
      expect(statSync(`${dir}/link`).mode & 0o777).toBe(0o600);
    } // dispose: our fds close, the pin keeps the program attached
    await using again = await load(fixture("raw_tp_switch_count.bpf.o"), { pinMaps: `${dir}/maps` });
    const switches = again.map("switches");
    const before = total(switches.get(0));
    for (let i = 0; i < 5; i++) await sleep(2);
    const during = total(switches.get(0));
    expect(during).toBeGreaterThan(before);
    using pinnedLink = openPinned(`${dir}/link`);
    expect(pinnedLink.kind).toBe("link");
    pinnedLink[Symbol.dispose]();
    unpin(`${dir}/link`);
    expect(existsSync(`${dir}/link`)).toBe(false);
    // The kernel frees an unpinned link from a work queue: wait for the count to settle.
    let stopped = -1n;
    for (let i = 0; i < 50 && total(switches.get(0)) !== stopped; i++) {
      stopped = total(switches.get(0));
      await sleep(20);
    }
    for (let i = 0; i < 5; i++) await sleep(2);
    expect(total(switches.get(0))).toBe(stopped);
  });

  test("a reused pinned map keeps its contents; a mismatched one is refused", async () => {
    {
      await using obj = await load(fixture("xdp_proto_count.bpf.o"), { pinMaps: `${dir}/xdp` });
      obj.map("proto_count").set(17, 41n);
    }
    {
      await using obj = await load(fixture("xdp_proto_count.bpf.o"), { pinMaps: `${dir}/xdp` });
      expect(total(obj.map("proto_count").get(17))).toBe(41n * BigInt((obj.map("proto_count").get(17) as bigint[]).length));
    }
    using wrong = mapCreate({ type: BPF_MAP_TYPE_PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, name: "switches" });
    pinFd(wrong, `${dir}/wrong/switches`);
    await expect(load(fixture("raw_tp_switch_count.bpf.o"), { pinMaps: `${dir}/wrong` })).rejects.toThrow(
      /map "switches": the map pinned at .*\/wrong\/switches does not match the object \(value size 4 \(pinned\) vs 8 \(object\); max entries 1 \(pinned\) vs 1\)|value size 4 \(pinned\) vs 8 \(object\)/,
    );
  });

  test("a load that fails takes back the map pins it made, and keeps pins it reused", async () => {
    // verifier_reject.bpf.o has one map, "values" (hash, u32 -> u64, 16 entries), and a
    // program the verifier refuses: the map is created and pinned before the refusal.
    await expect(load(fixture("verifier_reject.bpf.o"), { pinMaps: `${dir}/failed` })).rejects.toThrow(VerifierError);
    expect(readdirSync(`${dir}/failed`)).toEqual([]);
    using mine = mapCreate({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 16, name: "values" });
    pinFd(mine, `${dir}/reused/values`);
    await expect(load(fixture("verifier_reject.bpf.o"), { pinMaps: `${dir}/reused` })).rejects.toThrow(VerifierError);
    expect(readdirSync(`${dir}/reused`)).toEqual(["values"]);
  });

  test("programs pin and open again; errors say what to do", async () => {
    await using obj = await load(fixture("count_opens.bpf.o"));
    const prog = obj.program("count_opens");
    prog.pin(`${dir}/prog`);
    using p = openPinned(`${dir}/prog`);
    expect(p.kind).toBe("program");
    let e: unknown;
    try {
      prog.pin(`${dir}/prog`);
    } catch (err) {
      e = err;
    }
    expect((e as WhistlerError).hint).toMatch(/exists; remove it first/);
    expect(() => prog.pin("/tmp/not-bpffs/prog")).toThrow(/\/tmp\/not-bpffs is not on a bpf filesystem/);
    expect(() => openPinned(`${dir}/nothing`)).toThrow(/nothing is pinned at/);
    await using filter = await load(fixture("socket_tcp_filter.bpf.o"));
    using sock = udpSocket("127.0.0.1", 0);
    using link = filter.program("tcp_only").attach({ socket: sock.fd });
    expect(() => link.pin(`${dir}/socket-link`)).toThrow(AttachError);
    expect(() => link.pin(`${dir}/socket-link`)).toThrow(/is not a bpf link and cannot be pinned/);
  });
});
