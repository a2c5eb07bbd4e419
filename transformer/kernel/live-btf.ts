/**
 * The kernel BTF a build reads for what the committed snapshots lack: the file named by
 * WHISTLER_KERNEL_BTF, else the running kernel's /sys/kernel/btf/vmlinux; none on a machine
 * without either. Parsed once per path and kept for the process.
 */
import { existsSync } from "node:fs";
import type { Btf } from "../../loader/btf/index.js";
import { readKernelBtf, VMLINUX_BTF } from "./vmlinux.js";

const parsed = new Map<string, Btf>();

export function liveKernelBtf(): Btf | undefined {
  const path = process.env.WHISTLER_KERNEL_BTF || (existsSync(VMLINUX_BTF) ? VMLINUX_BTF : undefined);
  if (!path) return undefined;
  let btf = parsed.get(path);
  if (!btf) parsed.set(path, (btf = readKernelBtf(path)));
  return btf;
}
