// Global data in the kernel: module-level variables become .rodata/.data/.bss array maps
// (libbpf via bpftool creates them from our sections and DATASEC BTF), .rodata values can
// be changed in the object before load using CompileResult.globals, and programs read and
// write the variables.
import { afterEach, expect, test } from "@jest/globals";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CompileResult } from "../../transformer/api.js";
import { compileTemplate } from "../../transformer/compile.js";
import { readElf } from "../../transformer/elf/reader.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { GLOBALS, template } from "../compiler/helpers.js";
import { bpftool, scratch, writeObject } from "./bpftool-util.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** Writes `value` into `.rodata` variable `name` of a compiled object (what a loader does). */
export function setRodata(r: CompileResult, name: string, value: bigint): Uint8Array {
  const elf = r.elf!.slice();
  const g = r.globals!.find((x) => x.name === name && x.section === ".rodata")!;
  const sec = readElf(elf).sections.find((s) => s.name === ".rodata")!;
  const v = BigInt.asUintN(g.size * 8, value);
  for (let i = 0; i < g.size; i++) sec.data[g.offset + i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return elf;
}

/** A little-endian number from bpftool's `map dump` of a one-entry array map. */
function mapBytes(pinned: string): number[] {
  const out = JSON.parse(bpftool(["map", "dump", "pinned", pinned, "--json"])) as { value: string[] | unknown }[];
  const v = out[0]!.value;
  if (Array.isArray(v)) return v.map((x) => Number(x));
  throw new Error(`unexpected dump ${JSON.stringify(out)}`);
}
const le = (b: number[], off: number, size: number) => b.slice(off, off + size).reduceRight((acc, x) => acc * 256 + x, 0);

describeKernel("global data in the kernel", () => {
  checkNoFdLeaks();

  test.each([[undefined, 2], [1n, 1]] as const)("verdict %s: .rodata read, .data and .bss written", (verdict, want) => {
    const r = compileTemplate(template(GLOBALS));
    expect(r.diagnostics).toEqual([]);
    const s = scratch("globals");
    cleanups.push(s.cleanup);
    const elf = verdict === undefined ? r.elf! : setRodata(r, "verdict", verdict);
    const maps = join(s.pinDir, "maps");
    bpftool(["prog", "loadall", writeObject(s.tmp, "globals", elf), s.pinDir, "pinmaps", maps]);
    const pkt = Buffer.alloc(64);
    pkt.writeUInt32LE(5, 0);
    const file = join(s.tmp, "pkt.bin");
    writeFileSync(file, pkt);
    const out = bpftool(["prog", "run", "pinned", join(s.pinDir, "global_data"), "data_in", file, "repeat", "3"]);
    expect(out).toMatch(new RegExp(`Return value: ${want}\\b`));
    const names = readdirSync(maps);
    const data = names.find((n) => /[._]data$/.test(n) && !/rodata$/.test(n))!;
    const bss = names.find((n) => /[._]bss$/.test(n))!;
    const rodata = names.find((n) => /[._]rodata$/.test(n))!;
    expect([data, bss, rodata].every(Boolean)).toBe(true);
    const g = (n: string) => r.globals!.find((x) => x.name === n)!;
    expect(le(mapBytes(join(maps, data)), g("packets").offset, 8)).toBe(103); // 100 + 3 runs
    expect(le(mapBytes(join(maps, bss)), g("last").offset, 4)).toBe(5 * 3 + 7);
    expect(le(mapBytes(join(maps, rodata)), g("verdict").offset, 4)).toBe(want);
  });
});
