/**
 * The kernel BTF a build reads for what the committed snapshots lack: the file named by
 * WHISTLER_KERNEL_BTF, else the running kernel's /sys/kernel/btf/vmlinux; none on a machine
 * without either, or with WHISTLER_KERNEL_BTF=snapshot. Parsed once per path and kept.
 */
import { existsSync } from "node:fs";
import type { Btf } from "../../loader/btf/index.js";
import { readKernelBtf, VMLINUX_BTF } from "./vmlinux.js";

/** WHISTLER_KERNEL_BTF=snapshot: the committed snapshots only, whatever the build machine runs. */
export const SNAPSHOT_ONLY = "snapshot";

const parsed = new Map<string, Btf>();

/** The BTF at `path`, parsed once per process (vmlinux BTF takes ~150 ms to parse). */
export function kernelBtfAt(path: string): Btf {
  let btf = parsed.get(path);
  if (!btf) parsed.set(path, (btf = readKernelBtf(path)));
  return btf;
}

export function liveKernelBtf(): Btf | undefined {
  const env = process.env.WHISTLER_KERNEL_BTF;
  if (env === SNAPSHOT_ONLY) return undefined;
  const path = env || (existsSync(VMLINUX_BTF) ? VMLINUX_BTF : undefined);
  return path ? kernelBtfAt(path) : undefined;
}
