import { describe, expect, test } from "@jest/globals";
import { ElfError } from "../../runtime/errors.js";
import { ByteReader, cString } from "../../loader/elf/index.js";
import { sectionDef } from "../../loader/object/sections.js";

const table = (bytes: number[]): ByteReader => new ByteReader(new Uint8Array(bytes), (off, msg) => new ElfError(".strtab", off, msg));
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

describe("string tables", () => {
  test("ASCII tables: names by offset, also from the middle of a name", () => {
    const t = table([0, ...ascii("maps"), 0, ...ascii(".text"), 0]);
    expect(cString(t, 0, "name")).toBe("");
    expect(cString(t, 1, "name")).toBe("maps");
    expect(cString(t, 6, "name")).toBe(".text");
    expect(cString(t, 7, "name")).toBe("text");
    expect(t.asciiText()).not.toBeNull();
  });

  test("tables with UTF-8 names decode each name as UTF-8", () => {
    const t = table([0, ...ascii("a"), 0xc3, 0xa9, 0, ...ascii("b"), 0]);
    expect(t.asciiText()).toBeNull();
    expect(cString(t, 1, "name")).toBe("a\u00e9");
    expect(cString(t, 5, "name")).toBe("b");
  });

  test("a leading byte-order mark does not shift offsets", () => {
    const t = table([0xef, 0xbb, 0xbf, ...ascii("x"), 0, ...ascii("y"), 0]);
    expect(cString(t, 5, "name")).toBe("y");
  });

  test("readers over the same bytes agree; errors still name the table and offset", () => {
    const bytes = new Uint8Array([0, ...ascii("ab"), 0, ...ascii("cd")]);
    const a = new ByteReader(bytes, (off, msg) => new ElfError(".strtab", off, msg));
    const b = new ByteReader(bytes, (off, msg) => new ElfError(".BTF", off, msg));
    expect(cString(a, 1, "name")).toBe("ab");
    expect(cString(b, 1, "name")).toBe("ab");
    expect(() => cString(b, 4, "name of symbol", 3)).toThrow(/\.BTF.*name of symbol #3: string at 4 is not NUL-terminated/);
    expect(() => cString(a, 9, "name")).toThrow(/string offset 9 outside the string table \(6 bytes\)/);
  });
});

describe("section definitions", () => {
  test("each name is looked up once and shared frozen", () => {
    const a = sectionDef("tracepoint/syscalls/sys_enter_openat");
    const b = sectionDef("tracepoint/syscalls/sys_enter_openat");
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a!.target)).toBe(true);
    expect(a!.target).toEqual({ kind: "tracepoint", group: "syscalls", name: "sys_enter_openat" });
    expect(sectionDef("no_such_section")).toBeUndefined();
    expect(sectionDef("no_such_section")).toBeUndefined();
  });
});
