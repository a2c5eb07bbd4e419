// printk: the format in .rodata as a NUL-terminated char array passed with its size
// (bpf_trace_printk for up to 3 arguments, bpf_trace_vprintk with a u64 array for more),
// and WBPF1020/WBPF1006 for formats the kernel would refuse, each with a near miss.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { readElf } from "../../transformer/elf/reader.js";
import { describeDiagnostics, template } from "./helpers.js";
import { arrayFieldType, layoutStruct, scalarFieldType } from "../../runtime/struct/layout.js";
import { u8 } from "../../runtime/types.js";

const tp = (body: string) => `export function p(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {\n${body}\nreturn 0;\n}`;

function diags(body: string): string[] {
  const src = template(tp(body));
  return compileTemplate(src).diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
}

describe("printk code", () => {
  test("format bytes in .rodata, one string per distinct format; helper 6 then 177", () => {
    const r = compileTemplate(template(tp('const x: u32 = 7;\nprintk("a %d\\n", x);\nprintk("a %d\\n", x);\ntrace_printk("b %d %d %d %d\\n", x, x, x, x);')));
    expect(r.diagnostics).toEqual([]);
    const elf = readElf(r.elf!);
    const ro = elf.sections.find((s) => s.name === ".rodata")!;
    expect(new TextDecoder().decode(ro.data)).toBe("a %d\n\0b %d %d %d %d\n\0");
    expect(r.globals).toEqual([]);
    const text = disassemble(r.elf!);
    expect(text.match(/call bpf_trace_printk#6/g)).toHaveLength(2);
    expect(text).toMatch(/call bpf_trace_vprintk#177/);
    // The format's size (with its NUL) is the second argument.
    expect(text).toMatch(/r2 = 6\b/);
    expect(text).toMatch(/r4 = 32\b/);
  });

  test("near misses: every conversion the kernel accepts, widths, flags, %%", () => {
    expect(diags('const a: u32 = 1;\nconst b: u64 = 2;\nprintk("%5d%% %-08x %llu\\n", a, a, b);\nprintk("%c %ld %lli %llX\\n", 65, b, b, b);\nprintk("%p %pK %s %pks %pus\\n", ctx.filename, ctx.filename, ctx.filename, ctx.filename, ctx.filename);\nprintk("plain\\n");')).toEqual([]);
  });
});

describe("printk diagnostics", () => {
  test.each([
    ['printk("%f\\n", 1);', 'WBPF1020 2:8 "\\"%f\\\\n\\""', "'%f' is not a conversion"],
    ['printk("%.3d\\n", 1);', 'WBPF1020 2:8 "\\"%.3d\\\\n\\""', "'%.' is not a conversion"],
    ['printk("tail %");', 'WBPF1020 2:8 "\\"tail %\\""', "ends after '%'"],
    ['const b: u64 = 2;\nprintk("%d\\n", b);', 'WBPF1020 3:16 "b"', "use %lld or cast with `as u32`"],
    ['const b: u32 = 2;\nprintk(b);', 'WBPF1020 3:8 "b"', "format, a string literal"],
    ['printk("%d %d\\n", 1);', 'WBPF1006 2:1 "printk(\\"%d %d\\\\n\\", 1)"', "2 conversions (%d %d) but 1 argument follows"],
    ['printk("%d %d %d %d %d %d %d %d %d %d %d %d %d", 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);', "WBPF1020", "at most 12"],
    ['const s = "x";', 'WBPF1002 2:11 "\\"x\\""', "strings are only printk format strings"],
  ])("%s", (body, where, fragment) => {
    const list = diags(body);
    expect(list).toHaveLength(1);
    expect(list[0]).toContain(where);
    expect(list[0]).toContain(fragment);
  });
});

describe("strncmp", () => {
  const SLOTS = { Comm: layoutStruct("comm_buf", [["comm", arrayFieldType(scalarFieldType(u8), 16)]]) };
  const run = (body: string) => {
    const src = template(tp(body), SLOTS);
    return compileTemplate(src);
  };

  test("helper 182 with the array, its size and the literal in .rodata", () => {
    const r = run('let c: ${Comm};\nget_current_comm(c.comm);\nif (strncmp(c.comm, "bash") == 0) return 1;');
    expect(r.diagnostics).toEqual([]);
    expect(disassemble(r.elf!)).toMatch(/r2 = 16\n[\s\S]*r3 = map\[____str_0\] ll\n[\s\S]*call bpf_strncmp#182/);
    expect(new TextDecoder().decode(readElf(r.elf!).sections.find((x) => x.name === ".rodata")!.data)).toBe("bash\0");
  });

  test("the second argument must be a literal, the first an array or struct (WBPF1003)", () => {
    expect(run("let c: ${Comm};\nconst x: u64 = 5;\nstrncmp(c.comm, x);").diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["WBPF1003", "the second argument of 'strncmp' is a string literal: the kernel compares with a constant string only"],
    ]);
    expect(run('const x: u64 = 5;\nstrncmp(x, "a");').diagnostics.map((d) => d.code)).toEqual(["WBPF1003"]);
  });
});

