/**
 * Per-architecture system call numbers. The bpf(2) and perf_event_open(2) syscalls have no
 * libc wrappers, so we call them through syscall(2) by number.
 */
import { arch } from "node:process";
import { NotSupportedError } from "../errors.js";

export interface SyscallNumbers {
  readonly bpf: number;
  readonly perfEventOpen: number;
}

const TABLE: Readonly<Record<string, SyscallNumbers>> = {
  x64: { bpf: 321, perfEventOpen: 298 },
  arm64: { bpf: 280, perfEventOpen: 241 },
  riscv64: { bpf: 280, perfEventOpen: 241 },
  loong64: { bpf: 280, perfEventOpen: 241 },
  s390x: { bpf: 351, perfEventOpen: 331 },
  ppc64: { bpf: 361, perfEventOpen: 319 },
};

export function syscallNumbers(archName: string = arch): SyscallNumbers {
  const nrs = TABLE[archName];
  if (!nrs) {
    throw new NotSupportedError(`no bpf(2) syscall numbers for architecture "${archName}"`, {
      hint: `supported: ${Object.keys(TABLE).join(", ")}`,
    });
  }
  return nrs;
}
