// bpftool (libbpf) loads our objects into the real kernel: the verifier accepts them, maps
// are created from our BTF, and the programs behave (XDP runs through BPF_PROG_TEST_RUN).
import { afterEach, expect, test } from "@jest/globals";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileTemplate } from "../../transformer/compile.js";
import { describeKernel } from "../helpers/kernel.js";
import { COUNT_OPENS, COUNT_OPENS_SLOTS, XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS, template } from "../compiler/helpers.js";
import { bpftool, requireBpftool, scratch, writeObject } from "./bpftool-util.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function compile(body: string, slots: Parameters<typeof template>[1]): Uint8Array {
  const r = compileTemplate(template(body, slots));
  expect(r.diagnostics).toEqual([]);
  return r.elf!;
}

describeKernel("bpftool loads compiled objects", () => {
  test("bpftool is installed", () => {
    expect(requireBpftool()).toMatch(/bpftool$/);
  });

  test.each([
    ["count_opens", COUNT_OPENS, COUNT_OPENS_SLOTS],
    ["xdp_proto_count", XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS],
  ] as const)("%s passes the verifier via bpftool prog loadall", (name, body, slots) => {
    const s = scratch(name);
    cleanups.push(s.cleanup);
    const obj = writeObject(s.tmp, name, compile(body, slots));
    bpftool(["prog", "loadall", obj, s.pinDir]);
    expect(readdirSync(s.pinDir)).toEqual([name]);
    const info = JSON.parse(bpftool(["prog", "show", "pinned", join(s.pinDir, name), "--json"])) as { name: string; type: string; map_ids?: number[] };
    expect(info.name).toBe(name);
    expect(info.map_ids?.length).toBe(1);
    s.cleanup();
    expect(existsSync(s.pinDir)).toBe(false);
  });

  test("xdp_proto_count counts an IPv4 packet's protocol", () => {
    const s = scratch("run");
    cleanups.push(s.cleanup);
    const obj = writeObject(s.tmp, "xdp_proto_count", compile(XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS));
    const maps = `${s.pinDir}/maps`;
    bpftool(["prog", "loadall", obj, s.pinDir, "pinmaps", maps]);
    const pkt = Buffer.alloc(64);
    pkt.writeUInt16BE(0x0800, 12); // EtherType IPv4
    pkt[14] = 0x45;
    pkt[23] = 17; // UDP
    const file = join(s.tmp, "pkt.bin");
    writeFileSync(file, pkt);
    const out = bpftool(["prog", "run", "pinned", join(s.pinDir, "xdp_proto_count"), "data_in", file, "repeat", "3"]);
    expect(out).toMatch(/Return value: 2\b/);
    const v = JSON.parse(bpftool(["map", "lookup", "pinned", join(maps, "proto_counts"), "key", "17", "0", "0", "0", "--json"])) as { value: string[] | number };
    const bytes = Array.isArray(v.value) ? v.value.map((x) => Number(x)) : [];
    const count = Array.isArray(v.value) ? bytes.reduce((acc, b, i) => acc + b * 2 ** (8 * i), 0) : Number(v.value);
    expect(count).toBe(3);
    // Not IPv4: passes without counting.
    pkt.writeUInt16BE(0x86dd, 12);
    writeFileSync(file, pkt);
    expect(bpftool(["prog", "run", "pinned", join(s.pinDir, "xdp_proto_count"), "data_in", file])).toMatch(/Return value: 2\b/);
  });
});
