/**
 * Kconfig externs (`extern T NAME __kconfig;`): where each lives in the `.kconfig` map, and
 * its value on a given kernel, as libbpf fills them. The layout comes from the object's BTF;
 * the values from kernel facts the caller passes in (release string and parsed config), so
 * this stays pure and testable with any kernel's config.
 */
import { BtfError, WhistlerError } from "../../runtime/errors.js";
import { BTF_INT_BOOL, type Btf } from "../btf/index.js";

export type KconfigKind = "bool" | "tristate" | "char" | "int" | "string";

export interface KconfigExtern {
  readonly name: string;
  readonly kind: KconfigKind;
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
  /** `__weak`: a missing value reads as zero instead of failing the load. */
  readonly weak: boolean;
}

export interface KconfigLayout {
  readonly externs: readonly KconfigExtern[];
  /** Size of the `.kconfig` map's value. */
  readonly size: number;
}

export interface KernelFacts {
  /** `uname -r`, e.g. "6.18.44-foo". */
  readonly release: string;
  /** CONFIG_* -> raw value ("y", "m", "123", "\"text\""); undefined when the config is unreadable. */
  readonly config: ReadonlyMap<string, string> | undefined;
}

export const KCONFIG_SECTION = ".kconfig";

/** Lay out the `.kconfig` DATASEC's variables (declaration order, natural alignment). */
export function kconfigLayout(btf: Btf, weakNames: ReadonlySet<string>): KconfigLayout | undefined {
  const sec = btf.datasec(KCONFIG_SECTION);
  if (!sec) return undefined;
  let size = 0;
  const externs = sec.vars.map((vi): KconfigExtern => {
    const v = btf.type(vi.type);
    if (v.kind !== "VAR") throw new BtfError(btf.section, btf.typeStart + sec.offset, `${KCONFIG_SECTION} entry is a ${v.kind}, expected a VAR`);
    const bad = (why: string): BtfError => new BtfError(btf.section, btf.typeStart + v.offset, `kconfig extern "${v.name}": ${why}`);
    const t = btf.resolve(v.type);
    let kind: KconfigKind;
    let bytes: number;
    let signed = false;
    if (t.kind === "INT") {
      bytes = t.size;
      signed = (t.encoding & 1) !== 0;
      kind = (t.encoding & BTF_INT_BOOL) !== 0 ? "bool" : t.size === 1 && t.name === "char" ? "char" : "int";
    } else if (t.kind === "ENUM" && t.name === "libbpf_tristate") {
      bytes = t.size;
      kind = "tristate";
    } else if (t.kind === "ARRAY") {
      const elem = btf.resolve(t.type);
      if (elem.kind !== "INT" || elem.size !== 1) throw bad("arrays must be of char");
      bytes = t.nelems;
      kind = "string";
    } else {
      throw bad(`type ${t.kind} is not supported (bool, tristate, char, integers and char arrays are)`);
    }
    if (![1, 2, 4, 8].includes(bytes) && kind !== "string") throw bad(`size ${bytes} is not supported`);
    if (bytes === 0 || bytes > 4096) throw bad(`size ${bytes} is out of range`);
    const align = kind === "string" ? 1 : bytes;
    const offset = Math.ceil(size / align) * align;
    size = offset + bytes;
    return { name: v.name, kind, offset, size: bytes, signed, weak: weakNames.has(v.name) };
  });
  return { externs, size: Math.max(8, Math.ceil(size / 8) * 8) };
}

/** "# CONFIG_X is not set" and "CONFIG_X=value" lines -> map (other lines ignored). */
export function parseKernelConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const set = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (set) {
      out.set(set[1]!, set[2]!);
      continue;
    }
    const unset = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(line);
    if (unset) out.set(unset[1]!, "n");
  }
  return out;
}

/** KERNEL_VERSION(a, b, c) of a release string, as LINUX_KERNEL_VERSION holds it. */
export function kernelVersionCode(release: string): number {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (!m) throw new WhistlerError(`cannot read a kernel version from release "${release}"`);
  return (Number(m[1]) << 16) + (Number(m[2]) << 8) + Math.min(255, Number(m[3] ?? 0));
}

/** The `.kconfig` map's contents on the kernel `facts` describe. */
export function kconfigData(layout: KconfigLayout, facts: KernelFacts): Uint8Array {
  const out = new Uint8Array(layout.size);
  const view = new DataView(out.buffer);
  for (const e of layout.externs) {
    const fail = (why: string): WhistlerError => new WhistlerError(`kconfig extern ${e.name}: ${why}`, {
      hint: e.weak ? undefined : "declare it __weak to read 0 when the kernel does not have it",
    });
    let raw: string | undefined;
    if (e.name === "LINUX_KERNEL_VERSION") raw = String(kernelVersionCode(facts.release));
    // libbpf's usdt.bpf.h asks whether uprobes carry BPF cookies (perf-event links, 5.15+).
    else if (e.name === "LINUX_HAS_BPF_COOKIE") raw = kernelVersionCode(facts.release) >= kernelVersionCode("5.15") ? "y" : "n";
    else if (e.name.startsWith("CONFIG_")) {
      if (!facts.config && !e.weak) throw fail("the kernel's config is not readable (no /proc/config.gz or /boot/config-$(uname -r))");
      raw = facts.config?.get(e.name);
    }
    if (raw === undefined) {
      if (e.weak) continue;
      throw fail(e.name.startsWith("CONFIG_") || e.name === "LINUX_KERNEL_VERSION" ? "the kernel's config does not set it" : "unknown kconfig extern (LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE and CONFIG_* are known)");
    }
    writeValue(e, raw, view, out, fail);
  }
  return out;
}

function writeValue(e: KconfigExtern, raw: string, view: DataView, out: Uint8Array, fail: (why: string) => Error): void {
  const tri = raw === "y" ? 1 : raw === "m" ? 2 : raw === "n" ? 0 : undefined;
  switch (e.kind) {
    case "bool":
      if (tri === undefined || tri === 2) throw fail(`value ${raw} is not a bool (y or n)`);
      out[e.offset] = tri;
      return;
    case "tristate":
      if (tri === undefined) throw fail(`value ${raw} is not a tristate (y, m or n)`);
      view.setUint32(e.offset, tri, true);
      return;
    case "char":
      if (tri === undefined) throw fail(`value ${raw} is not y, m or n`);
      out[e.offset] = raw.charCodeAt(0);
      return;
    case "string": {
      const m = /^"(.*)"$/.exec(raw);
      if (!m) throw fail(`value ${raw} is not a string`);
      const bytes = new TextEncoder().encode(m[1]!).subarray(0, e.size - 1);
      out.set(bytes, e.offset);
      return;
    }
    case "int": {
      let v: bigint;
      if (tri !== undefined) v = BigInt(tri === 1 ? 1 : 0);
      else if (/^-?(0x[0-9a-fA-F]+|\d+)$/.test(raw)) v = raw.startsWith("-") ? -BigInt(raw.slice(1)) : BigInt(raw);
      else throw fail(`value ${raw} is not a number`);
      const bits = BigInt(e.size * 8);
      const fits = e.signed ? v >= -(1n << (bits - 1n)) && v < 1n << (bits - 1n) : v >= 0n && v < 1n << bits;
      if (!fits) throw fail(`value ${raw} does not fit ${e.signed ? "a signed" : "an unsigned"} ${e.size}-byte integer`);
      const u = BigInt.asUintN(Number(bits), v);
      for (let i = 0; i < e.size; i++) out[e.offset + i] = Number((u >> BigInt(8 * i)) & 0xffn);
      return;
    }
    default: {
      const never: never = e.kind;
      return never;
    }
  }
}
