/**
 * Facts about the running kernel that kconfig externs read: its release (uname -r) and its
 * config, from /proc/config.gz or /boot/config-<release>. Read once per process.
 */
import { readFileSync } from "node:fs";
import { release } from "node:os";
import { gunzipSync } from "node:zlib";
import { parseKernelConfig, type KernelFacts } from "../reloc/index.js";

let cached: KernelFacts | undefined;

function readConfig(rel: string): Map<string, string> | undefined {
  try {
    return parseKernelConfig(gunzipSync(readFileSync("/proc/config.gz")).toString("utf8"));
  } catch {
    // not built with CONFIG_IKCONFIG_PROC; try the distribution's copy
  }
  try {
    return parseKernelConfig(readFileSync(`/boot/config-${rel}`, "utf8"));
  } catch {
    return undefined;
  }
}

export function kernelFacts(): KernelFacts {
  if (cached) return cached;
  const rel = release();
  cached = { release: rel, config: readConfig(rel) };
  return cached;
}
