// Struct-typed map keys and values at compile time: stack struct keys passed by address,
// lookups typed as struct pointers with field access, updates from a stack struct, the BTF
// STRUCT records of key and value; and misuse (scalar for a struct key, another struct,
// increment on a struct value, an unchecked lookup) with a near miss each.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { layoutStruct, scalarFieldType, charFieldType } from "../../runtime/struct/layout.js";
import { u8, u32, u64 } from "../../runtime/types.js";
import { Btf } from "../../loader/btf/reader.js";
import { ElfFile } from "../../loader/elf/reader.js";
import { describeDiagnostics, template, type SlotSpec } from "./helpers.js";

const FLOW_KEY = layoutStruct("flow_key", [["saddr", scalarFieldType(u32)], ["daddr", scalarFieldType(u32)], ["proto", scalarFieldType(u8)]]);
const STATS = layoutStruct("flow_stats", [["packets", scalarFieldType(u64)], ["name", charFieldType(8)]]);
const OTHER = layoutStruct("other_key", [["x", scalarFieldType(u32)]]);

const SLOTS: Record<string, SlotSpec> = {
  flows: { map: { kind: "hash", key: "u8", value: "u8", keyStruct: FLOW_KEY, valueStruct: STATS, maxEntries: 64 } },
  counts: { map: { kind: "hash", key: "u8", value: "u64", keyStruct: FLOW_KEY, maxEntries: 64 } },
  FlowKey: FLOW_KEY, Stats: STATS, Other: OTHER,
};

const wrap = (body: string) => `
export function f(ctx: Xdp): i32 {
  let k: \${FlowKey};
  k.saddr = 1;
  k.proto = 6;
${body}
  return 0;
}
`;

function diag(body: string): string[] {
  const src = template(wrap(body), SLOTS);
  return compileTemplate(src).diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
}

describe("struct-typed map keys and values", () => {
  test("lookup/update/increment/delete with a stack struct key; lookup yields fields", () => {
    const src = template(wrap(`
  \${counts}.increment(k);
  const s = \${flows}.lookup(k);
  if (s) { s.packets += 1; return s.name[0] as i32; }
  let v: \${Stats};
  v.packets = 1;
  \${flows}.update(k, v);
  \${flows}.delete(k);`), SLOTS);
    const r = compileTemplate(src);
    expect(r.diagnostics).toEqual([]);
    const listing = disassemble(r.elf!);
    expect(listing).toMatch(/call bpf_map_lookup_elem#1/);
    expect(listing).toMatch(/call bpf_map_update_elem#2/);
    expect(listing).toMatch(/call bpf_map_delete_elem#3/);
    // The BTF describes both structs at their layout offsets, and the maps point at them.
    const btf = Btf.parse(ElfFile.parse(r.elf!).section(".BTF")!.data);
    const members = (name: string) => {
      const t = btf.types.find((x) => x.name === name) as unknown as { size: number; members: { name: string; bitOffset: number }[] };
      return { size: t.size, members: t.members.map((m) => [m.name, m.bitOffset]) };
    };
    expect(members("flow_key")).toEqual({ size: 12, members: [["saddr", 0], ["daddr", 32], ["proto", 64]] });
    expect(members("flow_stats")).toEqual({ size: 16, members: [["packets", 0], ["name", 64]] });
  });

  test("a scalar for a struct key is WBPF2001; another struct too; the declared struct is not", () => {
    const d = diag(`  \${counts}.increment(5);`);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^WBPF2001 .*key 5 does not fit map 'counts' whose key is struct flow_key/);
    const o = diag(`  let o: \${Other};\n  \${counts}.delete(o);`);
    expect(o[0]).toMatch(/^WBPF2001 .*key of type other_key does not fit map 'counts' whose key is struct flow_key/);
    expect(diag(`  \${counts}.delete(k);`)).toEqual([]);
  });

  test("a scalar value for a struct value is WBPF2002, and so is increment; update with the struct is fine", () => {
    expect(diag(`  \${flows}.update(k, 1);`)[0]).toMatch(/^WBPF2002 .*value 1 does not fit map 'flows' whose value is struct flow_stats/);
    expect(diag(`  \${flows}.increment(k);`)[0]).toMatch(/^WBPF2002 .*increment.*struct flow_stats.*lookup\(k\)/);
    expect(diag(`  let v: \${Stats};\n  \${flows}.update(k, v);`)).toEqual([]);
  });

  test("object literals for a struct key and value compile as the struct locals would: the same code", () => {
    const code = (body: string) => {
      const r = compileTemplate(template(`export function f(ctx: Xdp): i32 {\n  const a = ctx.rx_queue_index;\n${body}\n  return 0;\n}`, SLOTS));
      expect(r.diagnostics).toEqual([]);
      return disassemble(r.elf!);
    };
    const literal = code("  \${flows}.update({ saddr: a, proto: 6 }, { packets: 1 });\n  const v = \${flows}.lookup({ saddr: a, proto: 6 });\n  if (v) v.packets += 1;");
    const locals = code("  let k: \${FlowKey};\n  k.saddr = a;\n  k.proto = 6;\n  let s: \${Stats};\n  s.packets = 1;\n  \${flows}.update(k, s);\n  let k2: \${FlowKey};\n  k2.saddr = a;\n  k2.proto = 6;\n  const v = \${flows}.lookup(k2);\n  if (v) v.packets += 1;");
    expect(literal).toEqual(locals);
  });

  test("an object literal argument inside a larger expression, or after a call, is WBPF1002, which says to declare the struct first", () => {
    const [inIf] = diag("  if (${flows}.lookup({ saddr: 1 })) return 1;");
    expect(inIf).toMatch(/^WBPF1002 .* an object literal gives a struct local its fields .*declare the struct local first/);
    expect(diag("  ${flows}.update(k, { packets: 1 });")).toEqual([]);
    expect(diag("  ${flows}.update({ saddr: 1 }, { packets: 1 });")).toEqual([]);
  });

  test("a field of an unchecked lookup is WBPF1007; after the check it is fine", () => {
    expect(diag(`  const s = \${flows}.lookup(k);\n  s.packets = 2;`)[0]).toMatch(/^WBPF1007 /);
    expect(diag(`  const s = \${flows}.lookup(k);\n  if (!s) return 1;\n  s.packets = 2;`)).toEqual([]);
  });
});
