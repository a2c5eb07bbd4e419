/**
 * Hover on tracepoint record fields (`ctx.filename`) and on fields of defstruct locals
 * (`e.pid` of a reserved record, `let s: ${Struct}`) inside `bpf` templates, in a real
 * tsserver driven over its protocol. Tracepoint offsets and sizes come from the running
 * kernel's tracefs format files, parsed here; struct offsets from the C layout rules, by hand.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { FixtureEditor, type QuickInfo } from "./fixture-editor.js";
import { locate, TsServer } from "./tsserver.js";

let editor: FixtureEditor;
let server: TsServer;
let file: string;
let text: string;

/** One `field:<decl>; offset:N; size:N; signed:N;` line of a tracefs format file. */
interface FormatField {
  readonly decl: string;
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
}

/** tracefs, mounted if it is not (as the tracepoint attach suites do). */
function tracefsRoot(): string {
  for (const r of ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]) if (existsSync(`${r}/events`)) return r;
  execFileSync("mount", ["-t", "tracefs", "nodev", "/sys/kernel/tracing"]);
  return "/sys/kernel/tracing";
}

function formatOf(tracepoint: string): Map<string, FormatField> {
  const out = new Map<string, FormatField>();
  const lines = readFileSync(`${tracefsRoot()}/events/${tracepoint}/format`, "utf8").split("\n");
  for (const l of lines) {
    const m = /^\s*field:(.*);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d);/.exec(l);
    if (!m) continue;
    // The name is the declaration's last identifier, before any `[N]`.
    const name = /([A-Za-z_]\w*)\s*(?:\[\d*\])?$/.exec(m[1]!.trim())![1]!;
    out.set(name, { decl: m[1]!.trim(), name, offset: Number(m[2]), size: Number(m[3]), signed: m[4] === "1" });
  }
  return out;
}

let openat: Map<string, FormatField>;
let exec: Map<string, FormatField>;

beforeAll(async () => {
  openat = formatOf("syscalls/sys_enter_openat");
  exec = formatOf("sched/sched_process_exec");
  editor = await FixtureEditor.open("record-fields.ts");
  ({ server, file, text } = editor);
});

afterAll(async () => {
  await editor?.close();
});

const hover = (needle: string, delta: number, nth = 1): Promise<QuickInfo | undefined> => editor.hover(needle, delta, nth);

/** The C type of a format declaration: all before the field's name. */
const cType = (f: FormatField): string => f.decl.slice(0, f.decl.lastIndexOf(f.name)).trim();

/**
 * How the language reads a record integer (docs/LANGUAGE.md, "Tracepoint record fields"): its
 * size and signedness as the format states them, whatever the C type says (`int dfd` is 8
 * bytes, unsigned, in syscall records).
 */
const intRead = (f: FormatField): string => `${f.signed ? "i" : "u"}${f.size * 8}`;

describe("hover on tracepoint record fields", () => {
  test("the templates compile: every field hovered here is one the build reads", async () => {
    expect(await server.request("semanticDiagnosticsSync", { file })).toEqual([]);
  });

  test("a pointer: ctx.filename of sys_enter_openat reads as a u64 address", async () => {
    const f = openat.get("filename")!;
    expect(cType(f)).toBe("const char *");
    const q = await hover("ctx.filename;", 6);
    expect(q?.displayString).toBe(`(field) syscalls/sys_enter_openat.filename: ${cType(f)}`);
    expect(q?.documentation).toContain(`offset ${f.offset}, size ${f.size}`);
    expect(q?.documentation).toContain("Reads as u64: the address it holds");
    expect(q?.start).toEqual(locate(text, "ctx.filename;", 4));
    expect(q?.end).toEqual(locate(text, "ctx.filename;", 12));
  });

  test("integers: their size and signedness from the format (dfd, flags, mode, common_pid)", async () => {
    for (const [name, needle] of [["dfd", "ctx.dfd"], ["flags", "ctx.flags"], ["mode", "ctx.mode"], ["common_pid", "ctx.common_pid"]] as const) {
      const f = openat.get(name)!;
      const q = await hover(needle, 5);
      expect(q?.displayString).toBe(`(field) syscalls/sys_enter_openat.${name}: ${cType(f)}`);
      expect(q?.documentation).toBe(`offset ${f.offset}, size ${f.size}\nReads as ${intRead(f)}.`);
    }
    // The format's facts the expectations above rest on.
    expect(openat.get("dfd")).toMatchObject({ size: 8, signed: false });
    expect(openat.get("common_pid")).toMatchObject({ offset: 4, size: 4, signed: true });
  });

  test("a __data_loc string: its u32 locator, read as the address of the data in the record", async () => {
    const f = exec.get("filename")!;
    expect(f.decl).toMatch(/^__data_loc char\[\] filename$/);
    const q = await hover("ctx.filename;", 6, 2);
    expect(q?.displayString).toBe("(field) sched/sched_process_exec.filename: __data_loc char[]");
    expect(q?.documentation).toContain(`offset ${f.offset}, size ${f.size} (__data_loc: a u32 locator`);
    expect(q?.documentation).toContain("Reads as u64: the address of the data inside the record");
    const old = exec.get("old_pid")!;
    expect((await hover("ctx.old_pid", 5))?.documentation).toBe(`offset ${old.offset}, size ${old.size}\nReads as ${intRead(old)}.`);
  });

  test("completion details and hover agree (one builder)", async () => {
    const both = await editor.detailsBesideHover({ needle: "ctx.filename;", delta: 4, name: "filename" }, { needle: "ctx.filename;", delta: 6 });
    expect(both.details).toEqual(both.hover);
  });

  test("a field the record lacks has no hover", async () => {
    // Misspell `old_pid` in place (same length, so every position stays), then restore it.
    const rename = (to: string): void => editor.replace("ctx.old_pid", 4, 11, to);
    rename("old_pdi");
    try {
      expect(await hover("ctx.old_pid", 5)).toBeUndefined();
    } finally {
      rename("old_pid");
    }
    expect(await hover("ctx.old_pid", 5)).toBeDefined();
  });
});

/**
 * `sample` by the C rules (every field at the next multiple of its alignment, which is its
 * size for integers and 1 for char; arrays align as their element; the struct aligned to its
 * widest member and its size rounded up to it):
 *   u8 flag @0 (1); u64 ts @8 (8, after 7 bytes of padding); u16 cpu @16 (2);
 *   char comm[6] @18 (6); u32 n @24 (4); u16 ports[3] @28 (6); end 34, rounded up to 8: 40 bytes.
 */
const SAMPLE = { size: 40, fields: { flag: [0, 1], ts: [8, 8], cpu: [16, 2], comm: [18, 6], n: [24, 4], ports: [28, 6] } } as const;

describe("hover on fields of defstruct locals", () => {
  test("a reserved record's field: C declaration, struct, offset and size", async () => {
    const q = await hover("e.ts =", 2);
    expect(q?.displayString).toBe("(field) struct sample.ts: u64");
    expect(q?.documentation).toBe(`\`\`\`c\nuint64_t ts;\n\`\`\`\nField of struct sample (${SAMPLE.size} bytes): offset ${SAMPLE.fields.ts[0]}, size ${SAMPLE.fields.ts[1]} bytes.`);
    expect(q?.start).toEqual(locate(text, "e.ts =", 2));
    expect(q?.end).toEqual(locate(text, "e.ts =", 4));
  });

  test("every field of the layout, after padding, with its C declaration", async () => {
    const decls = { flag: "uint8_t flag;", ts: "uint64_t ts;", cpu: "uint16_t cpu;", comm: "char comm[6];", n: "uint32_t n;", ports: "uint16_t ports[3];" } as const;
    for (const [name, [offset, size]] of Object.entries(SAMPLE.fields)) {
      // comm is read through the other template's `s`, the rest through `e`.
      const q = await hover(`${name === "comm" ? "s" : "e"}.${name}`, 2);
      expect(q?.documentation).toContain(`\`\`\`c\n${decls[name as keyof typeof decls]}\n\`\`\``);
      expect(q?.documentation).toContain(`Field of struct sample (${SAMPLE.size} bytes): offset ${offset}, size ${size} byte${size === 1 ? "" : "s"}.`);
    }
    expect((await hover("e.ports", 2))?.displayString).toBe("(field) struct sample.ports: array(u16, 3)");
  });

  test("a local typed by the struct placeholder (`let s: ${Sample}`) has the same fields", async () => {
    const viaLet = await hover("s.ts =", 2);
    expect(viaLet?.displayString).toBe("(field) struct sample.ts: u64");
    expect(viaLet?.documentation).toBe((await hover("e.ts =", 2))?.documentation);
    expect((await hover("s.comm", 2))?.displayString).toBe("(field) struct sample.comm: char(6)");
  });

  test("completion details and hover agree (one builder)", async () => {
    const both = await editor.detailsBesideHover({ needle: "e.ts =", delta: 2, name: "ts" }, { needle: "e.ts =", delta: 2 });
    expect(both.details).toEqual(both.hover);
  });
});
