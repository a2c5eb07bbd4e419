// ELF structure of compiled objects: what libbpf needs to find programs, maps, relocations,
// the license and BTF, laid out as clang does it.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate } from "../../transformer/compile.js";
import { EM_BPF, R_BPF_64_64, SHF, SHT, STB, STT } from "../../transformer/elf/format.js";
import { ElfFormatError, readElf } from "../../transformer/elf/reader.js";
import { BTF_KIND } from "../../transformer/btf/writer.js";
import { COUNT_OPENS, COUNT_OPENS_SLOTS, XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS, template } from "./helpers.js";

interface BtfType { id: number; kind: number; name: string; vlen: number; sizeOrType: number; extra: number[] }

/** Minimal BTF reader for assertions. */
function readBtf(b: Uint8Array): BtfType[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  expect(dv.getUint16(0, true)).toBe(0xeb9f);
  const hdr = dv.getUint32(4, true);
  const typeOff = hdr + dv.getUint32(8, true);
  const typeLen = dv.getUint32(12, true);
  const strOff = hdr + dv.getUint32(16, true);
  const str = (o: number) => {
    let e = strOff + o;
    while (b[e] !== 0) e++;
    return new TextDecoder().decode(b.subarray(strOff + o, e));
  };
  const out: BtfType[] = [];
  let p = typeOff;
  while (p < typeOff + typeLen) {
    const info = dv.getUint32(p + 4, true);
    const kind = (info >> 24) & 0x1f;
    const vlen = info & 0xffff;
    const words = { [BTF_KIND.INT]: 1, [BTF_KIND.ARRAY]: 3, [BTF_KIND.STRUCT]: 3 * vlen, [BTF_KIND.FUNC_PROTO]: 2 * vlen, [BTF_KIND.VAR]: 1, [BTF_KIND.DATASEC]: 3 * vlen }[kind] ?? 0;
    const extra = Array.from({ length: words }, (_, i) => dv.getUint32(p + 12 + 4 * i, true));
    out.push({ id: out.length + 1, kind, name: str(dv.getUint32(p, true)), vlen, sizeOrType: dv.getUint32(p + 8, true), extra });
    p += 12 + 4 * words;
  }
  return out;
}

function btfString(b: Uint8Array): (off: number) => string {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const strOff = dv.getUint32(4, true) + dv.getUint32(16, true);
  return (o) => {
    let e = strOff + o;
    while (b[e] !== 0) e++;
    return new TextDecoder().decode(b.subarray(strOff + o, e));
  };
}

/** func_info and line_info records of a .BTF.ext section, names resolved. */
function readBtfExt(b: Uint8Array, str: (off: number) => string) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  expect(dv.getUint16(0, true)).toBe(0xeb9f);
  const hdr = dv.getUint32(4, true);
  const funcs: { section: string; insnOff: number; type: number }[] = [];
  const lines: { section: string; insnOff: number; file: string; text: string; line: number; col: number }[] = [];
  const walk = (off: number, len: number, rec: (section: string, p: number) => void) => {
    let p = hdr + off;
    const end = p + len;
    const size = dv.getUint32(p, true);
    p += 4;
    while (p < end) {
      const section = str(dv.getUint32(p, true));
      const n = dv.getUint32(p + 4, true);
      p += 8;
      for (let i = 0; i < n; i++, p += size) rec(section, p);
    }
  };
  walk(dv.getUint32(8, true), dv.getUint32(12, true), (section, p) => funcs.push({ section, insnOff: dv.getUint32(p, true), type: dv.getUint32(p + 4, true) }));
  walk(dv.getUint32(16, true), dv.getUint32(20, true), (section, p) => {
    const lc = dv.getUint32(p + 12, true);
    lines.push({ section, insnOff: dv.getUint32(p, true), file: str(dv.getUint32(p + 4, true)), text: str(dv.getUint32(p + 8, true)), line: lc >>> 10, col: lc & 0x3ff });
  });
  return { funcs, lines };
}

describe("ELF object", () => {
  const r = compileTemplate(template(COUNT_OPENS, COUNT_OPENS_SLOTS));
  const elf = readElf(r.elf!);
  const sec = (name: string) => elf.sections.find((s) => s.name === name)!;

  test("header and section list", () => {
    expect(elf.machine).toBe(EM_BPF);
    expect(elf.sections.map((s) => s.name)).toEqual([
      "", "tracepoint/syscalls/sys_enter_openat", ".reltracepoint/syscalls/sys_enter_openat", "license", ".maps", ".BTF", ".BTF.ext", ".symtab", ".strtab", ".shstrtab",
    ]);
    const prog = sec("tracepoint/syscalls/sys_enter_openat");
    expect(prog.type).toBe(SHT.PROGBITS);
    expect(prog.flags).toBe(SHF.ALLOC | SHF.EXECINSTR);
    expect(prog.data.length).toBe(23 * 8);
    expect(new TextDecoder().decode(sec("license").data)).toBe("GPL\0");
    expect(sec(".maps").data).toEqual(new Uint8Array(32));
  });

  test("symbols: a global FUNC per program, OBJECT per map and LICENSE", () => {
    const globals = elf.symbols.filter((s) => s.bind === STB.GLOBAL);
    expect(globals.map((s) => [s.name, s.type, elf.sections[s.section]!.name, s.value, s.size])).toEqual([
      ["count_opens", STT.FUNC, "tracepoint/syscalls/sys_enter_openat", 0, 184],
      ["LICENSE", STT.OBJECT, "license", 0, 4],
      ["counts", STT.OBJECT, ".maps", 0, 32],
    ]);
    const symtab = sec(".symtab");
    expect(elf.symbols.slice(0, symtab.info).every((s) => s.bind === STB.LOCAL)).toBe(true);
  });

  test("R_BPF_64_64 relocations sit on ld_imm64 instructions and name the map", () => {
    const prog = sec("tracepoint/syscalls/sys_enter_openat");
    const rels = elf.relocs.get(prog.index)!;
    expect(rels.length).toBe(2);
    for (const rel of rels) {
      expect(rel.type).toBe(R_BPF_64_64);
      expect(elf.symbols[rel.symbol]!.name).toBe("counts");
      expect(prog.data[rel.offset]).toBe(0x18);
    }
  });

  test("BTF describes the map the way libbpf's __uint/__type macros do", () => {
    const types = readBtf(sec(".BTF").data);
    const byId = (id: number) => types[id - 1]!;
    const variable = types.find((t) => t.kind === BTF_KIND.VAR && t.name === "counts")!;
    const struct = byId(variable.sizeOrType);
    expect(struct.kind).toBe(BTF_KIND.STRUCT);
    expect(struct.sizeOrType).toBe(32);
    const members = [0, 1, 2, 3].map((i) => ({ name: struct.extra[i * 3]!, type: struct.extra[i * 3 + 1]!, off: struct.extra[i * 3 + 2]! }));
    expect(members.map((m) => m.off)).toEqual([0, 64, 128, 192]);
    const arrayLen = (ptrId: number) => byId(byId(ptrId).sizeOrType).extra[2];
    expect(arrayLen(members[0]!.type)).toBe(1); // BPF_MAP_TYPE_HASH
    expect(arrayLen(members[3]!.type)).toBe(10240);
    const target = (ptrId: number) => byId(byId(ptrId).sizeOrType);
    expect(target(members[1]!.type).name).toBe("__u32");
    expect(byId(target(members[1]!.type).sizeOrType).name).toBe("unsigned int");
    expect(target(members[2]!.type).name).toBe("__u64");
    const maps = types.find((t) => t.kind === BTF_KIND.DATASEC && t.name === ".maps")!;
    expect(maps.extra).toEqual([variable.id, 0, 32]);
    const func = types.find((t) => t.kind === BTF_KIND.FUNC)!;
    expect(func.name).toBe("count_opens");
    expect(func.vlen).toBe(1); // global linkage
    const proto = byId(func.sizeOrType);
    expect(proto.kind).toBe(BTF_KIND.FUNC_PROTO);
    expect(byId(proto.sizeOrType).name).toBe("int");
    expect(byId(proto.extra[1]!).kind).toBe(BTF_KIND.PTR);
    expect(byId(proto.extra[1]!).sizeOrType).toBe(0); // void *ctx
  });

  test("an XDP program's ctx parameter points to struct xdp_md", () => {
    const x = readElf(compileTemplate(template(XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS)).elf!);
    const types = readBtf(x.sections.find((s) => s.name === ".BTF")!.data);
    const proto = types[types.find((t) => t.kind === BTF_KIND.FUNC)!.sizeOrType - 1]!;
    const ptr = types[proto.extra[1]! - 1]!;
    const struct = types[ptr.sizeOrType - 1]!;
    expect([struct.kind, struct.name, struct.sizeOrType, struct.vlen]).toEqual([BTF_KIND.STRUCT, "xdp_md", 24, 6]);
  });

  test("programs sharing a section share it, each with its own symbol", () => {
    const two = compileTemplate(template(`export function a(ctx: Xdp): i32 { return 1; }\nexport function b(ctx: Xdp): i32 { return 2; }`));
    const e = readElf(two.elf!);
    expect(e.sections.filter((s) => s.name === "xdp").length).toBe(1);
    expect(e.symbols.filter((s) => s.type === STT.FUNC).map((s) => [s.name, s.value, s.size])).toEqual([["a", 0, 16], ["b", 16, 16]]);
    expect(e.sections.some((s) => s.name === ".maps")).toBe(false);
  });

  test(".BTF.ext: func_info per program (section byte offsets) and line info from host lines", () => {
    const body = `export function a(ctx: Xdp): i32 { return 1; }\nexport function b(ctx: Xdp): i32 {\n  const x = ctx.ingress_ifindex;\n  return x as i32;\n}`;
    const t = template(body, {}, "/app/src/x.ts");
    const prefix = "// host\nconst p = bpf`";
    const two = compileTemplate({ ...t, hostText: prefix + body + "`;\n", start: prefix.length });
    const e = readElf(two.elf!);
    const btf = e.sections.find((s) => s.name === ".BTF")!.data;
    const types = readBtf(btf);
    const ext = readBtfExt(e.sections.find((s) => s.name === ".BTF.ext")!.data, btfString(btf));
    expect(ext.funcs).toEqual([
      { section: "xdp", insnOff: 0, type: "a" },
      { section: "xdp", insnOff: 16, type: "b" },
    ].map((f) => ({ ...f, type: types.find((x) => x.kind === BTF_KIND.FUNC && x.name === f.type)!.id })));
    expect(ext.lines).toEqual([
      { section: "xdp", insnOff: 0, file: "/app/src/x.ts", text: "const p = bpf`export function a(ctx: Xdp): i32 { return 1; }", line: 2, col: 50 },
      { section: "xdp", insnOff: 16, file: "/app/src/x.ts", text: "  const x = ctx.ingress_ifindex;", line: 4, col: 13 },
      { section: "xdp", insnOff: 24, file: "/app/src/x.ts", text: "  return x as i32;", line: 5, col: 3 },
    ]);
  });

  test("the reader rejects garbage with ElfFormatError", () => {
    expect(() => readElf(new Uint8Array(10))).toThrow(ElfFormatError);
    const bad = r.elf!.slice();
    bad[40] = 0xff; // section header offset past the end
    expect(() => readElf(bad)).toThrow(ElfFormatError);
  });
});
