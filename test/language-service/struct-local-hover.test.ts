/**
 * Hover on defstruct locals themselves (`e`, `w`) and completions and hover through nested
 * struct fields (`e.inner.b`, `w.outer.inner.b`) inside `bpf` templates, in a real tsserver
 * driven over its protocol. Layouts are worked by hand from the C rules below.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { FixtureEditor, type QuickInfo } from "./fixture-editor.js";
import { locate, TsServer } from "./tsserver.js";

let editor: FixtureEditor;
let server: TsServer;
let file: string;
let text: string;

interface CompletionInfo {
  isMemberCompletion: boolean;
  entries: { name: string }[];
}

/*
 * By the C rules (every field at the next multiple of its alignment, which is its size for
 * integers; a struct field aligned as its struct; a struct aligned to its widest member and
 * its size rounded up to that):
 *   inner: u32 a @0 (4); u16 b @4 (2); end 6, aligned to 4: 8 bytes.
 *   outer: u8 flag @0 (1); struct inner inner @4 (8, after 3 bytes of padding);
 *          u64 x @16 (8, after 4); 24 bytes, aligned to 8.
 *   wrap:  u16 tag @0 (2); struct outer outer @8 (24, after 6); struct inner pts[2] @32
 *          (2 x 8, aligned as inner); 48 bytes, aligned to 8.
 * So e.inner.b is at byte 4 + 4 = 8 of outer, w.outer.inner.b at 8 + 4 + 4 = 16 of wrap, and
 * w.pts[1].b at 32 + 1 * 8 + 4 = 44 of wrap.
 */
const INNER = { size: 8 };
const OUTER = { size: 24, align: 8 };
const WRAP = { size: 48 };

beforeAll(async () => {
  editor = await FixtureEditor.open("nested-records.ts");
  ({ server, file, text } = editor);
});

afterAll(async () => {
  await editor?.close();
});

const hover = (needle: string, delta: number, nth = 1): Promise<QuickInfo | undefined> => editor.hover(needle, delta, nth);

async function completions(needle: string, delta: number): Promise<CompletionInfo> {
  return server.request<CompletionInfo>("completionInfo", { file, ...locate(text, needle, delta) });
}


test("the template compiles: every nested read hovered here is one the build accepts", async () => {
  expect(await server.request("semanticDiagnosticsSync", { file })).toEqual([]);
});

describe("hover on a struct local itself", () => {
  const OUTER_DOC = [
    `struct outer: ${OUTER.size} bytes, aligned to ${OUTER.align}, 3 fields.`,
    "```c",
    "struct outer {",
    "  uint8_t flag;        /* offset 0, size 1 */",
    "  struct inner inner;  /* offset 4, size 8 */",
    "  uint64_t x;          /* offset 16, size 8 */",
    "};",
    "```",
  ].join("\n");

  // What the compiler's WBPF1007 says of an unchecked reserve or lookup result, before the layout.
  const RESERVED = "A pointer into the ring buffer from `reserve`: null when the ring buffer is full. Check it (`if (!e) return 0;`) before its fields are read or written and before it is submitted or discarded (WBPF1007 otherwise).";
  const LOOKED_UP = "A pointer to the map's value from `lookup`: null when the key is not in the map. Check it (`if (!v) return 0;`) before its fields are read or written (WBPF1007 otherwise).";

  test("a reserved record, at its declaration: that it may be null, then struct, size, every field declared as the C header does", async () => {
    const q = await hover("const e =", 6);
    expect(q?.displayString).toBe("(local) e: struct outer");
    expect(q?.documentation).toBe(`${RESERVED}\n\n${OUTER_DOC}`);
    expect(q?.start).toEqual(locate(text, "const e =", 6));
    expect(q?.end).toEqual(locate(text, "const e =", 7));
  });

  test("the same at a later use (`e.flag`, `submit(e)`)", async () => {
    for (const [needle, delta] of [["e.flag", 0], ["submit(e)", 7]] as const) {
      const q = await hover(needle, delta);
      expect(q?.displayString).toBe("(local) e: struct outer");
      expect(q?.documentation).toBe(`${RESERVED}\n\n${OUTER_DOC}`);
    }
  });

  test("a stack local typed by the placeholder (`let w: ${Wrap}`)", async () => {
    const q = await hover("let w:", 4);
    expect(q?.displayString).toBe("(local) w: struct wrap");
    // A stack struct is no pointer: nothing to check.
    expect(q?.documentation?.startsWith(`struct wrap: ${WRAP.size} bytes, aligned to 8, 3 fields.`)).toBe(true);
    expect(q?.documentation).toContain("struct outer outer;   /* offset 8, size 24 */");
    expect(q?.documentation).toContain("struct inner pts[2];  /* offset 32, size 16 */");
    expect((await hover("w.tag", 0))?.displayString).toBe("(local) w: struct wrap");
  });

  test("a lookup of a map whose value is a struct (`const v = ${byPid}.lookup(pid)`); not one of a u64 map", async () => {
    const q = await hover("const v =", 6);
    expect(q?.displayString).toBe("(local) v: struct outer");
    expect(q?.documentation).toBe(`${LOOKED_UP}\n\n${OUTER_DOC}`);
    expect((await hover("v.inner.b", 8))?.documentation).toContain("offset 4, size 2 bytes.\nAt byte 8 of struct outer (`v.inner.b`).");
    expect((await completions("v.inner.b", 2)).entries.map((x) => x.name)).toEqual(["flag", "inner", "x"]);
    expect(await hover("const c =", 6)).toBeUndefined();
  });

  test("a local initialised by a struct field or element (`const p = e.inner`, `const q = w.pts[1]`); not by a scalar field", async () => {
    const p = await hover("const p =", 6);
    expect(p?.displayString).toBe("(local) p: struct inner");
    expect(p?.documentation?.startsWith(`struct inner: ${INNER.size} bytes, aligned to 4, 2 fields.`)).toBe(true);
    expect(p?.documentation).toContain("uint16_t b;  /* offset 4, size 2 */");
    expect((await completions("p.b = 3", 2)).entries.map((x) => x.name)).toEqual(["a", "b"]);
    expect((await hover("p.b = 3", 2))?.documentation).toBe(`\`\`\`c\nuint16_t b;\n\`\`\`\nField of struct inner (${INNER.size} bytes): offset 4, size 2 bytes.`);
    expect((await hover("q.a", 2))?.displayString).toBe("(field) struct inner.a: u32");
    expect((await hover("const q =", 6))?.displayString).toBe("(local) q: struct inner");
    expect(await hover("const fl =", 6)).toBeUndefined();
  });

  test("a name declared in an inner block too: each use is the local its block sees", async () => {
    const outer = await hover("s.a = 1", 0);
    expect(outer?.displayString).toBe("(local) s: struct inner");
    expect(outer?.documentation?.startsWith("struct inner:")).toBe(true);
    const inner = await hover("s.flag = 2", 0);
    expect(inner?.displayString).toBe("(local) s: struct outer");
    expect(inner?.documentation?.startsWith("A pointer to the map's value from `lookup`")).toBe(true);
    expect((await hover("s.flag = 2", 2))?.displayString).toBe("(field) struct outer.flag: u8");
    // After the inner block, the outer stack struct again.
    expect((await hover("s.b = 3", 0))?.displayString).toBe("(local) s: struct inner");
    expect((await hover("s.b = 3", 2))?.displayString).toBe("(field) struct inner.b: u16");
    expect((await completions("s.b = 3", 2)).entries.map((x) => x.name)).toEqual(["a", "b"]);
  });

  test("the local's completion details are its hover (one builder)", async () => {
    const both = await editor.detailsBesideHover({ needle: "e.flag = 1", delta: 1, name: "e" }, { needle: "e.flag", delta: 0 });
    expect(both.details).toEqual(both.hover);
  });
});

describe("nested struct fields", () => {
  test("an object literal for a struct local: its keys complete as the struct's fields, nested ones as the nested struct's; values as names", async () => {
    const keys = await completions("{ flag: 1, inner", 2);
    expect(keys.entries.map((x) => x.name)).toEqual(["flag", "inner", "x"]);
    expect((await completions("{ flag: 1, inner", 11)).entries.map((x) => x.name)).toEqual(["flag", "inner", "x"]);
    const nested = await completions("{ a: ctx.old_pid", 2);
    expect(nested.entries.map((x) => x.name)).toEqual(["a", "b"]);
    const value = await completions("{ a: ctx.old_pid", 5);
    expect(value.entries.map((x) => x.name)).toEqual(expect.arrayContaining(["ctx", "ktime_get_ns"]));
    expect(value.entries.map((x) => x.name)).not.toContain("u32");
    // A map method's struct value: the map's value struct, nested literals as its fields'.
    expect((await completions("{ flag: 2, inner", 2)).entries.map((x) => x.name)).toEqual(["flag", "inner", "x"]);
    expect((await completions("{ b: 4 }", 2)).entries.map((x) => x.name)).toEqual(["a", "b"]);
    expect((await hover("flag: 2", 0))?.displayString).toBe("(field) struct outer.flag: u8");
  });

  test("`e.inner.` completes inner's fields, `e.` outer's", async () => {
    const c = await completions("e.inner.b", 8);
    expect(c.isMemberCompletion).toBe(true);
    expect(c.entries.map((x) => x.name)).toEqual(["a", "b"]);
    expect((await completions("e.inner.b", 2)).entries.map((x) => x.name)).toEqual(["flag", "inner", "x"]);
  });

  test("hover on `e.inner.b`: declaration, struct, offset in inner and in outer, size", async () => {
    const q = await hover("e.inner.b", 8);
    expect(q?.displayString).toBe("(field) struct inner.b: u16");
    expect(q?.documentation).toBe(
      `\`\`\`c\nuint16_t b;\n\`\`\`\nField of struct inner (${INNER.size} bytes): offset 4, size 2 bytes.\nAt byte 8 of struct outer (\`e.inner.b\`).`);
    expect(q?.start).toEqual(locate(text, "e.inner.b", 8));
    expect(q?.end).toEqual(locate(text, "e.inner.b", 9));
    expect((await hover("e.inner.a", 8))?.documentation).toContain("offset 0, size 4 bytes.\nAt byte 4 of struct outer (`e.inner.a`).");
  });

  test("hover on a key of an object literal: the field it sets, as `o.inner.b` would show it", async () => {
    const q = await hover("b: 2 }", 0);
    expect(q?.displayString).toBe("(field) struct inner.b: u16");
    expect(q?.documentation).toBe(
      `\`\`\`c\nuint16_t b;\n\`\`\`\nField of struct inner (${INNER.size} bytes): offset 4, size 2 bytes.\nAt byte 8 of struct outer (\`o.inner.b\`).`);
    expect((await hover("{ flag: 1, inner", 2))?.displayString).toBe("(field) struct outer.flag: u8");
  });

  test("the struct field itself (`e.inner`) is a field of outer", async () => {
    const q = await hover("e.inner.b", 3);
    expect(q?.displayString).toBe("(field) struct outer.inner: struct inner");
    expect(q?.documentation).toBe(`\`\`\`c\nstruct inner inner;\n\`\`\`\nField of struct outer (${OUTER.size} bytes): offset 4, size 8 bytes.`);
  });

  test("two levels down: `w.outer.inner.b` at byte 16 of wrap", async () => {
    expect((await completions("w.outer.inner.b", 14)).entries.map((x) => x.name)).toEqual(["a", "b"]);
    expect((await completions("w.outer.inner.b", 8)).entries.map((x) => x.name)).toEqual(["flag", "inner", "x"]);
    const q = await hover("w.outer.inner.b", 14);
    expect(q?.displayString).toBe("(field) struct inner.b: u16");
    expect(q?.documentation).toContain(`offset 4, size 2 bytes.\nAt byte 16 of struct wrap (\`w.outer.inner.b\`).`);
    expect((await hover("w.outer.inner.b", 9))?.documentation).toContain("offset 4, size 8 bytes.\nAt byte 12 of struct wrap (`w.outer.inner`).");
  });

  test("elements of an array of structs: `w.pts[1].b` at byte 44 of wrap; a variable index has no fixed byte", async () => {
    expect((await completions("w.pts[1].b", 9)).entries.map((x) => x.name)).toEqual(["a", "b"]);
    const q = await hover("w.pts[1].b", 9);
    expect(q?.displayString).toBe("(field) struct inner.b: u16");
    expect(q?.documentation).toContain("offset 4, size 2 bytes.\nAt byte 44 of struct wrap (`w.pts[1].b`).");
    const v = await hover("& 1].a", 5);
    expect(v?.displayString).toBe("(field) struct inner.a: u32");
    expect(v?.documentation).toContain("offset 0, size 4 bytes.\nIn struct wrap at a byte that depends on the index (`w.pts[(ctx.old_pid as u32) & 1].a`).");
    expect((await hover("w.pts[1].b", 2))?.displayString).toBe("(field) struct wrap.pts: array(struct inner, 2)");
  });

  test("completion details and hover agree (one builder)", async () => {
    const both = await editor.detailsBesideHover({ needle: "e.inner.b", delta: 8, name: "b" }, { needle: "e.inner.b", delta: 8 });
    expect(both.details).toEqual(both.hover);
  });

  test("only what the compiler reads: no fields after a scalar (`e.x.`), an array itself, an index out of bounds, nor a field the struct lacks", async () => {
    // `w.pts[1].b` -> `w.pts[2].b` (WBPF1008 in the build) and `w.pts   .b` (an array has no fields), in place.
    const index = (to: string): void => editor.replace("w.pts[1].b", 5, 8, to);
    for (const to of ["[2]", "   "]) {
      index(to);
      try {
        expect(await hover("w.pts[1].b", 9)).toBeUndefined();
      } finally {
        index("[1]");
      }
    }
    expect(await hover("w.pts[1].b", 9)).toBeDefined();
    // `e.inner.b` -> `e.inner.q` in place (same length), then back.
    const edit = (to: string): void => editor.replace("e.inner.b", 8, 9, to);
    edit("q");
    try {
      expect(await hover("e.inner.b", 8)).toBeUndefined();
    } finally {
      edit("b");
    }
    expect(await hover("e.inner.b", 8)).toBeDefined();
    // `e.x = ...` -> `e.x.a ...`: a u64 has no fields to complete.
    editor.replace("e.x =", 3, 3, ".");
    try {
      const names = (await completions("e.x =", 4)).entries.map((x) => x.name);
      for (const field of ["a", "b", "flag", "inner"]) expect(names).not.toContain(field);
    } finally {
      editor.replace("e.x =", 3, 4, "");
    }
  });
});
