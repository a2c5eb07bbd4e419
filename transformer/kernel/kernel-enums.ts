/**
 * Kernel enums for `enum_value("pid_type", "PIDTYPE_TGID")` in templates: the enumerators
 * and values the build compiles in (from `live-btf.ts`); the CO-RE record makes the loader
 * put in the target kernel's value.
 */
import { liveKernelBtf } from "./live-btf.js";

export interface KEnum {
  readonly name: string;
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly { readonly name: string; readonly value: bigint }[];
}

const cache = new Map<string, KEnum | undefined>();

/** The named enum (or 64-bit enum), or undefined when the build's kernel BTF has none. */
export function kernelEnum(name: string): KEnum | undefined {
  const key = `${process.env.WHISTLER_KERNEL_BTF ?? ""}\0${name}`;
  if (cache.has(key)) return cache.get(key);
  const btf = liveKernelBtf();
  const t = btf ? btf.find("ENUM", name) ?? btf.find("ENUM64", name) : undefined;
  const e = t && (t.kind === "ENUM" || t.kind === "ENUM64") ? { name, size: t.size, signed: t.signed, values: t.values } : undefined;
  cache.set(key, e);
  return e;
}

/** Enum names of the build's kernel BTF (for "did you mean"). */
export function* kernelEnumNames(): Iterable<string> {
  const btf = liveKernelBtf();
  if (btf) for (const t of btf.types) if ((t.kind === "ENUM" || t.kind === "ENUM64") && t.name) yield t.name;
}
