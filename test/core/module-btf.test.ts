/**
 * CO-RE candidates from kernel module BTF, as libbpf searches them: split BTF
 * (/sys/kernel/btf/<module>, type ids and string offsets continuing vmlinux's) is parsed on
 * its base, and a root type vmlinux lacks is looked up in every module; a type vmlinux has
 * is never taken from a module. This kernel exposes no module BTF (/sys/kernel/btf holds only
 * vmlinux), so the modules are synthetic split BTF files on top of a small base and on top of
 * the running kernel's vmlinux BTF, in a directory given to the loader's module search.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Btf } from "../../loader/btf/index.js";
import { parseObject } from "../../loader/index.js";
import { lazyModules } from "../../loader/object/core-relocate.js";
import { vmlinuxBtf } from "../../loader/link/vmlinux-btf.js";
import { applyCoreRelocations, CoreCandidates, resolveCoreRelo } from "../../loader/reloc/index.js";
import { BtfError } from "../../runtime/errors.js";
import { compileTemplate } from "../../transformer/compile.js";
import { template } from "../compiler/helpers.js";
import { BtfBuilder } from "../loader/btf-builder.js";
import { buildTarget } from "./targets.js";

const STRUCT = 4;

/**
 * Split BTF on `base`: `types` get ids from base.types.length on, and names are offsets past
 * the base's string section. Each entry is [name, size, members [name, type id, byte offset]].
 */
function splitBtf(base: Btf, structs: readonly (readonly [string, number, readonly (readonly [string, number, number])[]])[]): Uint8Array {
  const b = new BtfBuilder({ types: base.types.length, strings: base.strings.length });
  for (const [name, size, members] of structs) b.type(name, STRUCT, members.length, size, members.flatMap(([m, type, off]) => [b.str(m), type, off * 8]));
  return b.build();
}

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "whistler-modbtf-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("split BTF", () => {
  const b = new BtfBuilder();
  const int = b.int("int", 4, true);
  b.type("in_base", STRUCT, 1, 4, [b.str("a"), int, 0]);
  const base = Btf.parse(b.build(), "base");

  test("ids continue the base's, names resolve in either string section, member types may be the base's", () => {
    const mod = Btf.parse(splitBtf(base, [["only_in_module", 16, [["x", int, 0], ["y", int, 8]]]]), "mod", base);
    expect(mod.firstOwnId).toBe(base.types.length);
    const t = mod.find("STRUCT", "only_in_module")!;
    expect(t.id).toBe(base.types.length);
    expect(t.members.map((m) => [m.name, m.type, m.bitOffset / 8])).toEqual([["x", int, 0], ["y", int, 8]]);
    expect(mod.type(int).name).toBe("int");
    expect(mod.find("STRUCT", "in_base")!.id).toBe(2);
  });

  test("a reference past the last type or a string past both sections is a BtfError", () => {
    expect(() => Btf.parse(splitBtf(base, [["bad", 4, [["x", 99, 0]]]]), "mod", base)).toThrow(BtfError);
    const bytes = splitBtf(base, [["bad", 4, []]]);
    new DataView(bytes.buffer).setUint32(24, base.strings.length + 4096, true);
    expect(() => Btf.parse(bytes, "mod", base)).toThrow(BtfError);
  });

  test("a root type only a module has resolves there; one the base has is the base's", () => {
    writeFileSync(join(dir, "vmlinux"), "ignored: the base is given");
    writeFileSync(join(dir, "broken_mod"), new Uint8Array([1, 2, 3]));
    // The module also redefines in_base (member a at 4): vmlinux's (a at 0) must win.
    writeFileSync(join(dir, "some_mod"), splitBtf(base, [["only_in_module", 16, [["x", int, 0], ["y", int, 8]]], ["in_base", 8, [["a", int, 4]]]]));
    const cands = new CoreCandidates(base, lazyModules(dir, base));
    // The object's view: only_in_module { int y @4 }, in_base { int a @0 }.
    const lb = new BtfBuilder();
    const lint = lb.int("int", 4, true);
    const mine = lb.type("only_in_module", STRUCT, 1, 16, [lb.str("y"), lint, 32]);
    const inBase = lb.type("in_base", STRUCT, 1, 4, [lb.str("a"), lint, 0]);
    const local = Btf.parse(lb.build(), "local");
    expect(resolveCoreRelo(local, { insnOff: 0, typeId: mine, access: "0:0", kind: 0 }, cands)).toMatchObject({ localValue: 4, targetValue: 8, poisoned: false });
    expect(resolveCoreRelo(local, { insnOff: 0, typeId: inBase, access: "0:0", kind: 0 }, cands)).toMatchObject({ targetValue: 0, poisoned: false });
    // Without the module search, the module-only type has no candidate.
    expect(resolveCoreRelo(local, { insnOff: 0, typeId: mine, access: "0:0", kind: 0 }, new CoreCandidates(base))).toMatchObject({ poisoned: true });
  });
});

test("a template reading a module's struct: its record resolves against a module on this kernel's vmlinux BTF", () => {
  const vmlinux = vmlinuxBtf();
  const int = vmlinux.find("INT", "int")!.id;
  const task = vmlinux.find("STRUCT", "task_struct")!.id;
  const modDir = join(dir, "kernel");
  mkdirSync(modDir);
  // The module's struct: a task pointer field at 16 and a counter at 24 (the build saw 8 and 4).
  const ptr = vmlinux.types.find((t) => t.kind === "PTR" && t.type === task)!.id;
  writeFileSync(join(modDir, "whistler_mod"), splitBtf(vmlinux, [["whistler_mod_state", 32, [["owner", ptr, 16], ["count", int, 24]]]]));
  const built = join(dir, "build.btf");
  writeFileSync(built, buildTarget({ structs: [{ name: "whistler_mod_state", size: 16, members: [["count", 4, (t) => t.int], ["owner", 8, (t) => t.ptr]] }] }));
  process.env.WHISTLER_KERNEL_BTF = built;
  try {
    const r = compileTemplate(template(`
export function p(ctx: RawTracepoint<"sys_enter">): i32 {
  const s = ctx.args[0] as KernelStruct<"whistler_mod_state">;
  return s.count;
}
`));
    expect(r.diagnostics).toEqual([]);
    const obj = parseObject(r.elf!);
    const prog = obj.programs[0]!;
    const cands = new CoreCandidates(vmlinux, lazyModules(modDir, vmlinux));
    const { insns, results } = applyCoreRelocations(prog.insns, prog.coreRelos, obj.parsedBtf!, cands, prog.name);
    expect(results.map((x) => [x.localValue, x.targetValue, x.poisoned])).toEqual([[4, 24, false]]);
    const at = prog.coreRelos[0]!.insn * 8;
    expect(new DataView(insns.buffer, insns.byteOffset).getInt32(at + 4, true)).toBe(24);
  } finally {
    delete process.env.WHISTLER_KERNEL_BTF;
  }
});
