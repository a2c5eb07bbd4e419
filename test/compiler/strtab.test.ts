// String tables compute UTF-8 offsets without encoding each string: the offsets must land on
// the bytes TextEncoder writes, for ASCII, multi-byte characters, pairs and lone surrogates.
import { describe, expect, it } from "@jest/globals";
import { StringTable, utf8Length } from "../../transformer/elf/strtab.js";

const SAMPLES = ["", "a", "count_opens", "é", "日本", "𝔘x", "\ud800", "a\udc00b", "mixed é 日 𝔘 \ud83d", "\0inner"];

describe("string tables", () => {
  it("counts UTF-8 bytes as TextEncoder writes them", () => {
    const enc = new TextEncoder();
    for (const s of SAMPLES) expect([s, utf8Length(s)]).toEqual([s, enc.encode(s).length]);
  });

  it("stores each string once, at the offset where its bytes start, NUL-terminated", () => {
    const t = new StringTable();
    const offs = SAMPLES.filter((s) => !s.includes("\0")).map((s) => t.add(s));
    expect(t.add("count_opens")).toBe(offs[2]);
    const bytes = t.bytes();
    expect(bytes.length).toBe(t.size);
    expect(bytes[0]).toBe(0);
    const dec = new TextDecoder();
    SAMPLES.filter((s) => !s.includes("\0")).forEach((s, i) => {
      const start = offs[i]!;
      const end = bytes.indexOf(0, start);
      expect(dec.decode(bytes.subarray(start, end))).toBe(dec.decode(new TextEncoder().encode(s)));
    });
  });
});
