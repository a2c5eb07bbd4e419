import { expect, test } from "@jest/globals";
import { load, type MapHandle } from "../../loader/index.js";
import { BpfError, WhistlerError } from "../../runtime/errors.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { compileTemplate } from "../../transformer/compile.js";
import { GLOBALS, template } from "../compiler/helpers.js";
import { bpftool } from "../interop/bpftool-util.js";
import { fixture } from "../loader/fixtures.js";
import { frame, u32At, u32le, u64At } from "./packets.js";

const XDP_PASS = 2;

function value(m: MapHandle<unknown, unknown>): Uint8Array {
  const v = m.get(u32le(0) as never);
  if (!(v instanceof Uint8Array)) throw new Error("expected raw bytes");
  return v;
}

describeKernel("clang global data and subprograms: .rodata/.data/.bss maps, calls, func/line info", () => {
  checkNoFdLeaks();

  test("global_data.bpf.o: rodata knob, data counter, bss results, through two subprograms", async () => {
    await using obj = await load(fixture("global_data.bpf.o"));
    expect(obj.mapNames.sort()).toEqual([".bss", ".data", ".rodata"]);
    const prog = obj.program("global_data");
    for (let i = 0; i < 3; i++) expect(prog.testRun({ data: frame({ length: 60 }) }).retval).toBe(XDP_PASS);
    // .data started at 100 (initial contents written before load)
    expect(u64At(value(obj.map(".data")), 0)).toBe(103n);
    // .bss: last_len = scaled(60) = 60 * scale(3) + 'w'; lens[60 & 3] += 60 three times
    const bss = value(obj.map(".bss"));
    const layout = { lens: 0, last_len: 32 }; // clang orders .bss by size: lens[4], then last_len
    expect(u32At(bss, layout.last_len)).toBe(60 * 3 + "w".charCodeAt(0));
    expect(u64At(bss, layout.lens)).toBe(180n);
    // .rodata is frozen: user space cannot write it, the verifier treats it as constant
    const ro = obj.map(".rodata");
    expect(u32At(value(ro), 0)).toBe(XDP_PASS);
    expect(() => ro.set(u32le(0) as never, new Uint8Array(value(ro).length) as never)).toThrow(BpfError);
    // The calls were linked: the kernel sees one program of three functions
    expect(prog.info().xlatedInsns).toBeGreaterThan(21);
  });

  test("func_info and line_info reach the kernel: bpftool shows the C source lines", async () => {
    await using obj = await load(fixture("global_data.bpf.o"));
    const { id } = obj.program("global_data").info();
    const dump = bpftool(["prog", "dump", "xlated", "id", String(id), "linum"]);
    expect(dump).toMatch(/file:\S*global_data\.bpf\.c line_num:19 line_col:\d+/);
    expect(dump).toMatch(/return v \* scale \+ tag\[0\];/);
    expect(dump).toMatch(/lens\[len & 3\] \+= len;/);
    // one func_info per function: the listing names all three with their C prototypes
    expect(dump).toMatch(/int global_data\(struct xdp_md \* ctx\):/);
    expect(dump).toMatch(/__u64 scaled\(__u64 v\):/);
    expect(dump).toMatch(/int record\(__u32 len\):/);
    expect(bpftool(["prog", "show", "id", String(id)])).toMatch(/btf_id \d+/);
  });

  test("globals set by name before load: clang's const volatile knobs become the verifier's constants", async () => {
    await using obj = await load(fixture("global_data.bpf.o"), { globals: { verdict: 1, scale: 5n, packets: 7 } });
    expect(obj.program("global_data").testRun({ data: frame({ length: 60 }) }).retval).toBe(1);
    expect(u64At(value(obj.map(".data")), 0)).toBe(8n);
    expect(u32At(value(obj.map(".bss")), 32)).toBe(60 * 5 + "w".charCodeAt(0));
    await expect(load(fixture("global_data.bpf.o"), { globals: { nope: 1 } })).rejects.toThrow(/no global variable "nope"[\s\S]*globals: .*verdict/);
    await expect(load(fixture("global_data.bpf.o"), { globals: { verdict: 1n << 40n } })).rejects.toThrow(WhistlerError);
  });

  test("our compiler's global data loads with our loader: .rodata read, .data and .bss written", async () => {
    const r = compileTemplate(template(GLOBALS));
    expect(r.diagnostics).toEqual([]);
    const g = (n: string) => r.globals!.find((x) => x.name === n)!;
    const pkt = new Uint8Array(64);
    pkt[0] = 5;
    for (const [globals, want] of [[undefined, XDP_PASS], [{ verdict: 1 }, 1]] as const) {
      await using obj = await load(r.elf!, globals ? { globals } : {});
      const prog = obj.program("global_data");
      for (let i = 0; i < 3; i++) expect(prog.testRun({ data: pkt }).retval).toBe(want);
      expect(u64At(value(obj.map(".data")), g("packets").offset)).toBe(103n);
      expect(u32At(value(obj.map(".bss")), g("last").offset)).toBe(5 * 3 + 7);
    }
  });
});
