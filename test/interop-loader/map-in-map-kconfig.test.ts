import { expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { release } from "node:os";
import { gunzipSync } from "node:zlib";
import { load, parseObject } from "../../loader/index.js";
import { kconfigData, kernelVersionCode, parseKernelConfig } from "../../loader/reloc/index.js";
import { WhistlerError } from "../../runtime/errors.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";
import { frame, u32le, u64At } from "./packets.js";

const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
const BPF_MAP_TYPE_HASH_OF_MAPS = 13;

describeKernel("map-in-map and kconfig externs (clang objects)", () => {
  checkNoFdLeaks();

  test("map_in_map.bpf.o: outer maps get inner templates; values[] point at the named maps", async () => {
    const spec = parseObject(fixture("map_in_map.bpf.o"));
    const outer = spec.maps.get("outer")!;
    expect(outer).toMatchObject({ type: BPF_MAP_TYPE_ARRAY_OF_MAPS, valueSize: 4, maxEntries: 2, slots: [{ index: 0, target: "inner_a" }, { index: 1, target: "inner_b" }] });
    expect(outer.inner).toMatchObject({ type: 2, keySize: 4, valueSize: 8, maxEntries: 4 });
    expect(spec.maps.get("outer_hash")?.inner).toMatchObject({ type: 1, valueSize: 4, maxEntries: 8 });

    await using obj = await load(fixture("map_in_map.bpf.o"));
    expect(obj.mapNames.sort()).toEqual(["inner_a", "inner_b", "outer", "outer_hash"]);
    const prog = obj.program("map_in_map");
    // even length -> outer[0] = inner_a; odd -> outer[1] = inner_b
    expect(prog.testRun({ data: frame({ length: 64 }) }).retval).toBe(2);
    expect(prog.testRun({ data: frame({ length: 64 }) }).retval).toBe(2);
    expect(prog.testRun({ data: frame({ length: 65 }) }).retval).toBe(2);
    expect(obj.map("inner_a").get(0 as never)).toBe(2n);
    expect(obj.map("inner_b").get(0 as never)).toBe(1n);
  });

  test("kconfig.bpf.o: LINUX_KERNEL_VERSION and CONFIG_* come from this kernel", async () => {
    await using obj = await load(fixture("kconfig.bpf.o"));
    expect(obj.program("kconfig").testRun({ data: frame() }).retval).toBe(2);
    const out = obj.map(".bss").get(u32le(0) as never) as unknown as Uint8Array;
    const config = parseKernelConfig(gunzipSync(readFileSync("/proc/config.gz")).toString("utf8"));
    expect(u64At(out, 0)).toBe(BigInt(kernelVersionCode(release())));
    expect(u64At(out, 8)).toBe(config.get("CONFIG_BPF_SYSCALL") === "y" ? 1n : 0n);
    expect(u64At(out, 16)).toBe(BigInt(config.get("CONFIG_HZ") ?? "0"));
    expect(u64At(out, 24)).toBe(0n); // weak, not a real option
    const host = /^"(.)/.exec(config.get("CONFIG_DEFAULT_HOSTNAME") ?? "");
    expect(u64At(out, 32)).toBe(BigInt(host ? host[1]!.charCodeAt(0) : 0));
    // the .kconfig map is read-only and frozen
    expect(obj.mapNames).toContain(".kconfig");
  });

  test("kconfig values are computed from the facts given (pure), strong externs need a value", async () => {
    const spec = parseObject(fixture("kconfig.bpf.o"));
    const layout = spec.kconfig!;
    expect(layout.externs.map((e) => [e.name, e.kind, e.weak])).toEqual([
      ["LINUX_KERNEL_VERSION", "int", false], ["CONFIG_BPF_SYSCALL", "bool", false], ["CONFIG_HZ", "int", true],
      ["CONFIG_WHISTLER_NOT_A_REAL_OPTION", "bool", true], ["CONFIG_DEFAULT_HOSTNAME", "string", true],
    ]);
    const facts = { release: "5.15.3-test", config: new Map([["CONFIG_BPF_SYSCALL", "y"], ["CONFIG_HZ", "1000"], ["CONFIG_DEFAULT_HOSTNAME", "\"box\""]]) };
    const data = kconfigData(layout, facts);
    const v = new DataView(data.buffer);
    const at = (n: string): number => layout.externs.find((e) => e.name === n)!.offset;
    expect(v.getUint32(at("LINUX_KERNEL_VERSION"), true)).toBe((5 << 16) + (15 << 8) + 3);
    expect(data[at("CONFIG_BPF_SYSCALL")]).toBe(1);
    expect(v.getInt32(at("CONFIG_HZ"), true)).toBe(1000);
    expect(new TextDecoder().decode(data.subarray(at("CONFIG_DEFAULT_HOSTNAME"), at("CONFIG_DEFAULT_HOSTNAME") + 3))).toBe("box");
    expect(() => kconfigData(layout, { release: "6.1.0", config: new Map() })).toThrow(/CONFIG_BPF_SYSCALL: the kernel's config does not set it/);
    expect(() => kconfigData(layout, { release: "6.1.0", config: new Map([["CONFIG_BPF_SYSCALL", "17"]]) })).toThrow(WhistlerError);
    // and the loader takes them: a kernel without CONFIG_BPF_SYSCALL is refused before any load
    await expect(load(fixture("kconfig.bpf.o"), { kernelFacts: { release: release(), config: new Map() } })).rejects.toThrow(/CONFIG_BPF_SYSCALL/);
  });
});
