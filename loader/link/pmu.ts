/**
 * Dynamic perf PMUs (`kprobe`, `uprobe`): their type number and the config bit that makes a
 * probe a return probe, read from sysfs. The root is a parameter so tests can point it at a
 * directory of their own.
 */
import { readFileSync } from "node:fs";

export const EVENT_SOURCE_ROOT = "/sys/bus/event_source/devices";

export interface ProbePmu {
  readonly name: string;
  readonly type: number;
  /** The `config` bit that selects a return probe. */
  readonly retprobeBit: number;
  /** uprobe: the first `config` bit of the reference counter (USDT semaphore) offset, when
   * the kernel takes one (format/ref_ctr_offset, "config:32-63", kernels >= 4.20). */
  readonly refCtrOffsetShift?: number;
}

/** Parse a PMU format file such as "config:0" (or a range, "config:32-63") into its first bit. */
export function parseFormatBit(text: string): number | undefined {
  const m = /^config:(\d+)(?:-\d+)?$/.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

/** The PMU named `name`, or undefined when this kernel has none (e.g. kprobe without CONFIG_KPROBES). */
export function probePmu(name: "kprobe" | "uprobe", root: string = EVENT_SOURCE_ROOT): ProbePmu | undefined {
  let typeText: string;
  try {
    typeText = readFileSync(`${root}/${name}/type`, "utf8");
  } catch {
    return undefined;
  }
  const type = Number(typeText.trim());
  if (!Number.isInteger(type) || type < 0) return undefined;
  let retprobeBit = 0;
  try {
    retprobeBit = parseFormatBit(readFileSync(`${root}/${name}/format/retprobe`, "utf8")) ?? 0;
  } catch {
    // kernels before 4.17 lack the format file; bit 0 is what they all used
  }
  let refCtrOffsetShift: number | undefined;
  try {
    refCtrOffsetShift = parseFormatBit(readFileSync(`${root}/${name}/format/ref_ctr_offset`, "utf8"));
  } catch {
    // kprobes have none; uprobes before 4.20 cannot maintain USDT semaphores
  }
  return { name, type, retprobeBit, ...(refCtrOffsetShift !== undefined ? { refCtrOffsetShift } : {}) };
}
