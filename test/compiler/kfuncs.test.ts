// kfuncs: calls compile as clang compiles `extern ... __ksym` calls (call -1, BPF_PSEUDO_CALL,
// R_BPF_64_32 against an undefined symbol; extern FUNCs in a `.ksyms` DATASEC), built in or
// declared with `declare function`; each diagnostic with a near miss.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { R_BPF_64_32 } from "../../transformer/elf/format.js";
import { readElf } from "../../transformer/elf/reader.js";
import { Btf } from "../../loader/btf/reader.js";
import { ElfFile } from "../../loader/elf/reader.js";
import { template } from "./helpers.js";

const xdp = (body: string, decls = "") => `${decls}export function p(ctx: Xdp): i32 {\n${body}\n}\n`;
const FIND = "  const t = bpf_task_from_pid(7);\n  if (t == 0) return 1;\n  bpf_task_release(t);\n  return 2;";

function codes(src: string): string[] {
  return compileTemplate(template(src)).diagnostics.map((d) => `${d.code} ${d.message}`);
}

describe("kfunc calls", () => {
  test("extern calls against undefined symbols, extern FUNCs in .ksyms", () => {
    const r = compileTemplate(template(xdp(FIND)));
    expect(r.diagnostics).toEqual([]);
    const elf = readElf(r.elf!);
    const und = elf.symbols.filter((s) => s.section === 0 && s.name);
    expect(und.map((s) => s.name).sort()).toEqual(["bpf_task_from_pid", "bpf_task_release"]);
    const xdpSec = elf.sections.find((s) => s.name === "xdp")!;
    const rels = elf.relocs.get(xdpSec.index)!.filter((x) => x.type === R_BPF_64_32);
    expect(rels.map((x) => elf.symbols[x.symbol]!.name)).toEqual(["bpf_task_from_pid", "bpf_task_release"]);
    for (const x of rels) {
      // call, src_reg BPF_PSEUDO_CALL, imm -1: clang's encoding of an extern call.
      expect([xdpSec.data[x.offset], xdpSec.data[x.offset + 1]! >> 4, new DataView(xdpSec.data.buffer, xdpSec.data.byteOffset).getInt32(x.offset + 4, true)]).toEqual([0x85, 1, -1]);
    }
    expect(disassemble(r.elf!)).toMatch(/call bpf_task_from_pid\n[\s\S]*call bpf_task_release\n/);
    const btf = Btf.parse(ElfFile.parse(r.elf!).section(".BTF")!.data);
    const ksyms = btf.find("DATASEC", ".ksyms")!;
    expect(ksyms.vars.map((v) => btf.type(v.type)).map((t) => [t.kind, t.name, (t as { linkage?: number }).linkage])).toEqual([
      ["FUNC", "bpf_task_from_pid", 2], ["FUNC", "bpf_task_release", 2],
    ]);
    const proto = btf.type(btf.find("FUNC", "bpf_task_from_pid")!.type);
    expect(proto.kind === "FUNC_PROTO" && [btf.resolve(proto.returnType).kind, proto.params.map((p) => p.name)]).toEqual(["PTR", ["pid"]]);
  });

  test("a declared kfunc: integer and kptr parameters, results narrowed like helpers'", () => {
    const r = compileTemplate(template(xdp("  return bpf_thing(ctx.rx_queue_index, 0) as i32;", "declare function bpf_thing(n: u32, p: kptr): u8;\n")));
    expect(r.diagnostics).toEqual([]);
  });
});

describe("kfunc diagnostics (trigger and near miss)", () => {
  test("a misspelt kfunc is WBPF1001 with the nearest name", () => {
    expect(codes(xdp("  const t = bpf_task_from_pdi(7);\n  return 0;"))).toEqual(["WBPF1001 unknown function 'bpf_task_from_pdi'; did you mean 'bpf_task_from_pid'?"]);
    expect(codes(xdp(FIND))).toEqual([]);
  });

  test("declared parameter types are integers or kptr (WBPF1003)", () => {
    expect(codes(xdp("  return 0;", "declare function bpf_x(p: ptr): void;\n"))).toEqual(["WBPF1003 'ptr' is not a kernel function parameter type; use an integer type (u8 ... i64) or kptr (a kernel pointer)"]);
    expect(codes(xdp("  return 0;", "declare function bpf_x(p: kptr): void;\n"))).toEqual([]);
  });

  test("argument count (WBPF1006) and types (WBPF1003)", () => {
    expect(codes(xdp("  bpf_task_release();\n  return 0;"))[0]).toMatch(/^WBPF1006 kernel function 'bpf_task_release' takes 1 argument \(p: kptr\), got 0/);
    const narrow = codes(xdp("  const x: i64 = 5;\n  const t = bpf_task_from_pid(x);\n  return 0;"));
    expect(narrow[0]).toMatch(/^WBPF1003 argument 'pid' of 'bpf_task_from_pid' is i32/);
  });

  test("a declaration naming a helper is WBPF1010 (calls would reach the helper)", () => {
    expect(codes(xdp("  return ktime_get_ns() as i32;", "declare function ktime_get_ns(): u64;\n"))).toEqual(["WBPF1010 'ktime_get_ns' is a kernel helper (called by number), not a kfunc; call it without declaring it"]);
  });

  test("a declaration clashing with a function is WBPF1010", () => {
    const src = "declare function helper(x: u32): u32;\nfunction helper(x: u32): u32 { return x; }\n" + xdp("  return helper(1) as i32;");
    expect(codes(src)[0]).toMatch(/^WBPF1010 'helper' is declared twice/);
  });
});
