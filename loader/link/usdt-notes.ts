/**
 * USDT probes of an executable or shared library: the SystemTap notes that <sys/sdt.h> puts
 * in `.note.stapsdt`, one per probe site (a probe inlined twice has two), with the probe's
 * address turned into the file offset a uprobe wants. Pure: bytes in, probes out; malformed
 * files end in an `ElfError` naming the section, offset and probe.
 */
import { ElfError, NotSupportedError, WhistlerError } from "../../runtime/errors.js";
import { ByteReader, ElfFile } from "../elf/index.js";
import { loadSegments, vaddrToOffset, type LoadSegment } from "./elf-symbols.js";
import { parseUsdtArgs, type UsdtArg } from "./usdt-args.js";

export interface UsdtProbe {
  readonly provider: string;
  readonly name: string;
  /** File offset of the probe's instruction: where the uprobe goes. */
  readonly offset: number;
  /** Virtual address of the probe as the note gives it, after the .stapsdt.base (prelink) adjustment. */
  readonly address: number;
  /** File offset of the probe's semaphore (the uprobe's ref_ctr_offset), or 0 when it has none. */
  readonly semaphoreOffset: number;
  /** The argument spec text as written in the note, e.g. "8@%rbp 8@%r12 -4@%eax". */
  readonly argText: string;
  /** Parsed argument specs (parseUsdtArgs(argText)). */
  readonly args: readonly UsdtArg[];
}

const NOTES_SECTION = ".note.stapsdt";
const BASE_SECTION = ".stapsdt.base";
const SHT_NOTE = 7;
const NT_STAPSDT = 3;
const NOTE_NAME = "stapsdt";
const NOTE_HEADER = 12;
/** pc, link-time base, semaphore: three 64-bit addresses before the strings. */
const ADDRESSES = 24;
const EM_X86_64 = 62;
const ELFCLASS32 = 1;

const decoder = new TextDecoder();

/**
 * A probe whose arguments are parsed on first use: one probe with a spec this parser does
 * not support (gcc's `-4@counter(%rip)`) must not hide the file's other probes.
 */
class StapsdtProbe implements UsdtProbe {
  #args: readonly UsdtArg[] | undefined;
  readonly #machine: number;

  constructor(
    readonly provider: string,
    readonly name: string,
    readonly offset: number,
    readonly address: number,
    readonly semaphoreOffset: number,
    readonly argText: string,
    machine: number,
  ) {
    this.#machine = machine;
  }

  get args(): readonly UsdtArg[] {
    if (this.#args) return this.#args;
    const probe = `USDT probe ${this.provider}:${this.name} at 0x${this.address.toString(16)}`;
    if (this.#machine !== EM_X86_64 && this.argText.trim() !== "") {
      throw new NotSupportedError(`${probe}: arguments are read for x86-64 files only (e_machine is ${this.#machine})`);
    }
    try {
      return (this.#args = parseUsdtArgs(this.argText));
    } catch (e) {
      if (!(e instanceof WhistlerError)) throw e;
      const Kind = e instanceof NotSupportedError ? NotSupportedError : WhistlerError;
      throw new Kind(`${probe}: ${e.message}`, { cause: e });
    }
  }
}

/** Every probe site in the `.note.stapsdt` notes of ELF file `bytes`, in note order; [] without notes. */
export function readUsdtProbes(bytes: Uint8Array): UsdtProbe[] {
  if (bytes.length > 4 && bytes[4] === ELFCLASS32) {
    throw new ElfError("header", 4, "32-bit (ELFCLASS32) file: USDT notes are read from 64-bit executables and libraries only");
  }
  // Any machine: this is the traced program, not a BPF object (parse checks EM_BPF unless
  // given the file's own machine; `undefined` would select that default).
  const elf = ElfFile.parse(bytes, bytes.length >= 20 ? bytes[18]! | (bytes[19]! << 8) : undefined);
  const notes = elf.section(NOTES_SECTION);
  if (!notes) return [];
  if (notes.type !== SHT_NOTE) throw new ElfError(notes.name, notes.offset, `section type is ${notes.type}, expected SHT_NOTE (${SHT_NOTE})`);
  const segments = loadSegments(bytes);
  const baseSection = elf.section(BASE_SECTION);
  const linkBase = baseSection?.addr;

  const r = new ByteReader(notes.data, (off, msg) => new ElfError(notes.name, notes.offset + off, msg));
  // Entries are padded to the section's alignment: 4 for sdt.h's notes, 8 in some toolchains.
  const align = notes.addralign === 8 ? 8 : 4;
  const pad = (n: number): number => Math.ceil(n / align) * align;
  const out: UsdtProbe[] = [];
  for (let o = 0; o < r.length; ) {
    r.check(o, NOTE_HEADER, "note header");
    const namesz = r.u32(o);
    const descsz = r.u32(o + 4);
    const type = r.u32(o + 8);
    const nameAt = o + NOTE_HEADER;
    const descAt = nameAt + pad(namesz);
    r.check(nameAt, namesz, `note name (namesz ${namesz})`);
    r.check(descAt, descsz, `note description (descsz ${descsz})`);
    if (namesz !== NOTE_NAME.length + 1 || decoder.decode(r.slice(nameAt, namesz, "note name")) !== `${NOTE_NAME}\0`) {
      throw r.fail(o, `note owner is not "${NOTE_NAME}" (namesz ${namesz})`);
    }
    if (type !== NT_STAPSDT) throw r.fail(o + 8, `note type is ${type}, expected NT_STAPSDT (${NT_STAPSDT})`);
    out.push(probeOf(r, descAt, descsz, segments, linkBase, elf.header.machine));
    o = descAt + pad(descsz);
  }
  return out;
}

/** The probe whose note description is [at, at+size) of the notes section `r`. */
function probeOf(r: ByteReader, at: number, size: number, segments: readonly LoadSegment[], linkBase: number | undefined, machine: number): StapsdtProbe {
  if (size < ADDRESSES + 3) throw r.fail(at, `note description is ${size} bytes, too short for three addresses and three strings`);
  const pc = r.u64n(at, "probe address");
  const noteBase = r.u64n(at + 8, "probe base address");
  const semaphore = r.u64n(at + 16, "semaphore address");
  const end = at + size;
  const [provider, providerEnd] = stringAt(r, at + ADDRESSES, end, "provider");
  const [name, nameEnd] = stringAt(r, providerEnd, end, "probe name");
  const [argText] = stringAt(r, nameEnd, end, "argument specs");

  // A prelinked file moved its sections after sdt.h recorded the addresses; the distance
  // .stapsdt.base moved is the distance the probe moved.
  const address = linkBase === undefined ? pc : pc + (linkBase - noteBase);
  const probe = `USDT probe ${provider}:${name}`;
  const offset = vaddrToOffset(segments, address);
  if (offset === undefined) throw r.fail(at, `${probe}: address 0x${address.toString(16)} is in no loadable segment`);
  let semaphoreOffset = 0;
  if (semaphore !== 0) {
    const off = vaddrToOffset(segments, semaphore);
    if (off === undefined) throw r.fail(at + 16, `${probe}: semaphore address 0x${semaphore.toString(16)} is in no loadable segment`);
    semaphoreOffset = off;
  }
  return new StapsdtProbe(provider, name, offset, address, semaphoreOffset, argText, machine);
}

/** The NUL-terminated string at `at`, which must end before `end`, and the offset after its NUL. */
function stringAt(r: ByteReader, at: number, end: number, what: string): [string, number] {
  const nul = r.bytes.subarray(0, end).indexOf(0, at);
  if (nul < 0) throw r.fail(at, `${what} is not NUL-terminated inside the note`);
  return [decoder.decode(r.bytes.subarray(at, nul)), nul + 1];
}
