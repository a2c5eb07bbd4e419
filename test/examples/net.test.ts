/**
 * The network example tools on veth pairs in their own namespaces, with real packets: the
 * socket filter's packet socket must receive TCP frames only while the program counts what
 * it dropped; the XDP tools must count, drop and pass what was really sent.
 */
import { readdirSync } from "node:fs";
import { beforeAll, expect, test } from "@jest/globals";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { buildExamples, lastJson, startExample } from "./run-example.js";

interface ProtoCount { proto: number; name: string; seen: number; kept: number }
interface Frame { src: string; dst: string; sport: number; dport: number; flags: string; length: number; proto: number }

describeKernel("example tools: tcp-filter, xdp-blocklist, xdp-proto-count", () => {
  checkNoFdLeaks();
  beforeAll(() => buildExamples(), 60_000);

  test("tcp-filter: the packet socket receives only TCP; the filter saw and dropped the UDP", async () => {
    const r = await startExample("tcp-filter", ["--duration", "1", "--json"]).done;
    expect(r.code).toBe(0);
    const out = lastJson<{ interface: string; received: number; nonTcp: number; protocols: ProtoCount[]; frames: Frame[] }>(r);
    // send-packets.mjs: 5 UDP datagrams to port 9999, then 5 TCP connects to closed ports 9..13 (SYN, RST|ACK)
    expect(out.nonTcp).toBe(0);
    expect(out.received).toBe(10);
    expect(out.frames.filter((f) => f.flags === "SYN").map((f) => f.dport)).toEqual([9, 10, 11, 12, 13]);
    expect(out.frames.filter((f) => f.flags === "RST|ACK").map((f) => f.sport)).toEqual([9, 10, 11, 12, 13]);
    expect(out.protocols.find((p) => p.name === "UDP")).toEqual({ proto: 17, name: "UDP", seen: 5, kept: 0 });
    expect(out.protocols.find((p) => p.name === "TCP")).toEqual({ proto: 6, name: "TCP", seen: 10, kept: 10 });
    expect(readdirSync("/sys/class/net")).not.toContain(out.interface);
    const text = await startExample("tcp-filter", ["--duration", "0.5"]).done;
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {15}SOURCE {12}DESTINATION {2}FLAGS {8}LENGTH$/m);
    expect(text.stdout).toMatch(/^ +10\.\d+\.0\.2:\d+ +10\.\d+\.0\.1:9 {2}SYN +74$/m);
    expect(text.stdout).toMatch(/^UDP +5 +0$/m);
    expect(text.stdout).toMatch(/\n10 frames reached the socket in \d+\.\ds, all TCP\.\n$/);
  });

  test("xdp-blocklist: an LPM trie of CIDRs drops real packets by source, updated live from TypeScript", async () => {
    const r = await startExample("xdp-blocklist", ["--duration", "1", "--json"]).done;
    expect(r.code).toBe(0);
    const out = lastJson<{
      interface: string; passed: number; dropped: number;
      phases: { rules: string[]; dropped: Record<string, number> }[];
      sources: { source: string; sent: number; received: number }[];
    }>(r);
    const [a, b] = out.sources.map((s) => s.source);
    const net = a!.replace(/\.\d+$/, "");
    expect(b).toBe(`${net}.66`);
    // first round: x.y.0.64/26 blocks .66 only; after the live update, .2/32 blocks .2 only
    expect(out.phases).toEqual([
      { rules: [`${net}.64/26`], dropped: { [`${net}.64/26`]: 20 } },
      { rules: [`${a}/32`], dropped: { [`${a}/32`]: 20 } },
    ]);
    expect(out.sources).toEqual([{ source: a, sent: 40, received: 20 }, { source: b, sent: 40, received: 20 }]);
    expect(out.dropped).toBe(40);
    expect(out.passed).toBeGreaterThanOrEqual(40);
    expect(readdirSync("/sys/class/net")).not.toContain(out.interface);
  });

  test("xdp-blocklist: --block takes CIDRs; the report shows each rule's drops and what arrived", async () => {
    const r = await startExample("xdp-blocklist", ["--duration", "0.5", "--block", "10.0.0.0/8,192.168.0.0/16"]).done;
    expect(r.code).toBe(0);
    const before = /^Before the live update\n(BLOCKED CIDR +DROPPED)\n(10\.0\.0\.0\/8 +40)\n(192\.168\.0\.0\/16 +0)$/m.exec(r.stdout);
    expect(before).not.toBeNull();
    // right-aligned numbers: every line of the table ends in the same column
    expect(new Set(before!.slice(1).map((l) => l.length)).size).toBe(1);
    expect(r.stdout).toMatch(/^SOURCE +SENT {2}RECEIVED$/m);
    expect(r.stdout).toMatch(/^10\.\d+\.0\.66 +40 +20$/m);
    expect(r.stdout).toMatch(/\n\d+ IPv4 packets passed, 60 dropped in \d+\.\ds\.\n$/);
  });

  test("xdp-proto-count: real UDP and TCP from the namespace counted per protocol; report and summary", async () => {
    const r = await startExample("xdp-proto-count", ["--duration", "1", "--json", "--interval", "5"]).done;
    expect(r.code).toBe(0);
    const out = lastJson<{ interface: string; rounds: number; total: number; protocols: { proto: number; name: string; packets: number }[] }>(r);
    // one round: 5 UDP datagrams and 5 TCP SYNs reach the host end's ingress
    expect(out.rounds).toBe(1);
    expect(out.protocols).toEqual([{ proto: 6, name: "TCP", packets: 5 }, { proto: 17, name: "UDP", packets: 5 }]);
    expect(out.total).toBe(10);
    expect(readdirSync("/sys/class/net")).not.toContain(out.interface);
    const text = await startExample("xdp-proto-count", ["--duration", "0.5", "--interval", "5"]).done;
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^After 1 rounds\nPROTO {2}PACKETS\nTCP {10}5 {2}\*{30}\nUDP {10}5 {2}\*{30}$/m);
    expect(text.stdout).toMatch(/\n10 IPv4 packets in \d+\.\ds on \w+\.\n$/);
  });
});
