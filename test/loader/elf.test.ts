import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { ElfError, WhistlerError } from "../../runtime/errors.js";
import { ElfFile, SHF_EXECINSTR, STT_FUNC, R_BPF_64_64 } from "../../loader/elf/index.js";
import { parseObject } from "../../loader/object/index.js";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/clang/${name}`, import.meta.url)));

function elfError(f: () => unknown): ElfError {
  try {
    f();
  } catch (e) {
    if (e instanceof ElfError) return e;
    throw new Error(`expected ElfError, got ${String(e)}`);
  }
  throw new Error("expected ElfError, nothing thrown");
}

describe("ELF reader", () => {
  test("reads clang's object: sections, symbols, relocations", () => {
    const elf = ElfFile.parse(fixture("count_opens.bpf.o"));
    const code = elf.section("tracepoint/syscalls/sys_enter_openat")!;
    expect(code.flags & SHF_EXECINSTR).toBeTruthy();
    expect(code.size).toBe(23 * 8);
    const fn = elf.symbols().find((s) => s.name === "count_opens")!;
    expect(fn).toMatchObject({ type: STT_FUNC, shndx: code.index, value: 0, size: 23 * 8 });
    const [rel] = elf.relocationSectionsFor(code);
    const relocs = elf.relocations(rel!);
    expect(relocs.map((r) => [r.offset, r.type, elf.symbols()[r.symbol]!.name])).toEqual([
      [7 * 8, R_BPF_64_64, "counts"],
      [17 * 8, R_BPF_64_64, "counts"],
    ]);
    expect(new TextDecoder().decode(elf.section("license")!.data)).toBe("GPL\0");
  });

  test("malformed headers and tables name the section and offset", () => {
    const good = fixture("count_opens.bpf.o");
    const shoff = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(40, true));
    const mutate = (f: (v: DataView) => void): Uint8Array => {
      const c = good.slice();
      f(new DataView(c.buffer));
      return c;
    };
    const symtabIndex = ElfFile.parse(good).sections.findIndex((s) => s.name === ".symtab");
    const relIndex = ElfFile.parse(good).sections.findIndex((s) => s.name === ".reltracepoint/syscalls/sys_enter_openat");
    const cases: [Uint8Array, RegExp, string][] = [
      [good.subarray(0, 20), /smaller than an ELF header/, "header"],
      [mutate((v) => v.setUint8(0, 0)), /bad magic/, "header"],
      [mutate((v) => v.setUint8(4, 1)), /not ELFCLASS64/, "header"],
      [mutate((v) => v.setUint8(5, 2)), /not little-endian/, "header"],
      [mutate((v) => v.setUint16(18, 62, true)), /e_machine is 62/, "header"],
      [mutate((v) => v.setUint16(60, 0xffff, true)), /65535 section headers .* runs past the end/, "section headers"],
      [mutate((v) => v.setBigUint64(40, 2n ** 63n, true)), /e_shoff .* out of range/, "header"],
      [mutate((v) => v.setUint16(62, 999, true)), /e_shstrndx 999/, "header"],
      [good.subarray(0, good.length - 100), /runs past the end/, "section headers"],
      [mutate((v) => v.setBigUint64(shoff + symtabIndex * 64 + 32, 2n ** 40n, true)), /run past the end of the file/, `section #${symtabIndex}`],
      [mutate((v) => v.setUint32(shoff + 3 * 64, 0xffffff, true)), /outside the string table/, ".strtab"],
    ];
    for (const [bytes, re, section] of cases) {
      const e = elfError(() => {
        const elf = ElfFile.parse(bytes);
        elf.symbols();
      });
      expect(e.message).toMatch(re);
      expect(e.section).toBe(section);
      expect(Number.isInteger(e.offset)).toBe(true);
    }
    // A relocation naming a symbol past the table.
    const badRel = mutate((v) => {
      const relOff = Number(v.getBigUint64(shoff + relIndex * 64 + 24, true));
      v.setUint32(relOff + 12, 5000, true);
    });
    const e = elfError(() => parseObject(badRel));
    expect(e.message).toMatch(/names symbol #5000/);
    expect(e.section).toBe(".reltracepoint/syscalls/sys_enter_openat");
  });

  test("fuzz: truncations and byte flips give typed errors, never a crash or hang", () => {
    for (const name of ["count_opens.bpf.o", "xdp_proto_count.bpf.o"]) {
      const data = fixture(name);
      for (let n = 0; n < data.length; n += 13) {
        try {
          parseObject(data.subarray(0, n));
        } catch (e) {
          expect(e).toBeInstanceOf(WhistlerError);
        }
      }
      let seed = 99;
      const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
      for (let i = 0; i < 1500; i++) {
        const c = data.slice();
        for (let k = 0; k < 4; k++) c[rnd() % c.length] = rnd() & 0xff;
        try {
          parseObject(c);
        } catch (e) {
          if (!(e instanceof WhistlerError)) throw new Error(`iteration ${i}: ${String(e)}\n${(e as Error).stack}`);
        }
      }
    }
  });
});
