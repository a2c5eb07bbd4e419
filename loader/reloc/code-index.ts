/**
 * The functions of every executable section and the relocations that apply to them, indexed
 * once per object so linking a program is lookups, not scans. Pure.
 */
import { ElfError } from "../../runtime/errors.js";
import {
  SHF_EXECINSTR, STT_FUNC, type ElfFile, type ElfRelocation, type ElfSection, type ElfSymbol,
} from "../elf/index.js";

export interface CodeFunction {
  readonly name: string;
  readonly section: ElfSection;
  /** Byte range [start, end) in the section. */
  readonly start: number;
  readonly end: number;
  readonly symbol: ElfSymbol;
}

export class CodeIndex {
  readonly #functions = new Map<number, CodeFunction[]>();
  readonly #relocs = new Map<number, Map<number, ElfRelocation>>();

  private constructor() {}

  static build(elf: ElfFile): CodeIndex {
    const index = new CodeIndex();
    const symbols = elf.symbols();
    for (const s of elf.sections) {
      if ((s.flags & SHF_EXECINSTR) === 0 || s.size === 0) continue;
      if (s.size % 8 !== 0) throw new ElfError(s.name, s.offset, `code size ${s.size} is not a multiple of 8`);
      const syms = symbols.filter((y) => y.shndx === s.index && y.type === STT_FUNC).sort((a, b) => a.value - b.value);
      const fns = syms.map((f, i): CodeFunction => {
        const end = f.size > 0 ? f.value + f.size : (syms[i + 1]?.value ?? s.size);
        if (f.value % 8 !== 0 || end > s.size || end <= f.value || end % 8 !== 0) {
          throw new ElfError(s.name, s.offset + f.value, `function "${f.name}" has a bad range [${f.value}, ${end}) in a ${s.size}-byte section`);
        }
        const prev = syms[i - 1];
        if (prev && prev.value === f.value) throw new ElfError(s.name, s.offset + f.value, `functions "${prev.name}" and "${f.name}" start at the same offset`);
        return { name: f.name, section: s, start: f.value, end, symbol: f };
      });
      index.#functions.set(s.index, fns);
      const byOffset = new Map<number, ElfRelocation>();
      for (const rel of elf.relocationSectionsFor(s)) {
        for (const r of elf.relocations(rel)) {
          const fn = fns.find((x) => r.offset >= x.start && r.offset < x.end);
          if (!fn || r.offset % 8 !== 0) {
            throw new ElfError(s.name, s.offset + r.offset, `${rel.name} entry at section offset ${r.offset} does not point at an instruction of a function`);
          }
          if (byOffset.has(r.offset)) throw new ElfError(rel.name, rel.offset, `two relocations for the instruction at offset ${r.offset} of ${s.name}`);
          byOffset.set(r.offset, r);
        }
      }
      index.#relocs.set(s.index, byOffset);
    }
    return index;
  }

  /** Functions of a section, by start offset. */
  functions(section: number): readonly CodeFunction[] {
    return this.#functions.get(section) ?? [];
  }

  /** The function starting exactly at byte `offset` of `section`. */
  functionAt(section: number, offset: number): CodeFunction | undefined {
    return this.functions(section).find((f) => f.start === offset);
  }

  relocationAt(section: number, offset: number): ElfRelocation | undefined {
    return this.#relocs.get(section)?.get(offset);
  }

  /** A section's relocations by instruction offset (undefined when it has none indexed). */
  relocationsIn(section: number): ReadonlyMap<number, ElfRelocation> | undefined {
    return this.#relocs.get(section);
  }
}
