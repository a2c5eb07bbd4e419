/**
 * A veth pair with one end in a fresh network namespace, for examples and tests that need
 * real packets crossing a real interface. Disposing it deletes the namespace, which also
 * deletes both ends of the pair.
 */
import { execFileSync, spawnSync } from "node:child_process";

export interface VethPair {
  /** Interface in the root namespace (where XDP attaches). */
  readonly hostIf: string;
  /** Namespace holding the peer. */
  readonly netns: string;
  readonly hostAddr: string;
  readonly peerAddr: string;
  /** Runs a command inside the namespace. */
  exec(cmd: string, args: readonly string[], input?: string): string;
  [Symbol.dispose](): void;
}

function ip(args: readonly string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

export function createVethPair(tag: string): VethPair {
  const id = `${tag}${process.pid % 100000}`;
  const netns = `wsl-${id}`;
  const hostIf = `wh${id}`.slice(0, 15);
  const peerIf = `wp${id}`.slice(0, 15);
  const octet = (process.pid % 200) + 20;
  const hostAddr = `10.${octet}.0.1`;
  const peerAddr = `10.${octet}.0.2`;
  const cleanup = (): void => {
    spawnSync("ip", ["netns", "del", netns], { stdio: "ignore" });
    spawnSync("ip", ["link", "del", hostIf], { stdio: "ignore" });
  };
  cleanup();
  try {
    ip(["netns", "add", netns]);
    ip(["link", "add", hostIf, "type", "veth", "peer", "name", peerIf]);
    ip(["link", "set", peerIf, "netns", netns]);
    ip(["addr", "add", `${hostAddr}/24`, "dev", hostIf]);
    ip(["link", "set", hostIf, "up"]);
    ip(["-n", netns, "addr", "add", `${peerAddr}/24`, "dev", peerIf]);
    ip(["-n", netns, "link", "set", peerIf, "up"]);
    ip(["-n", netns, "link", "set", "lo", "up"]);
  } catch (err) {
    cleanup();
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`could not create a veth pair in a network namespace (needs root and iproute2): ${stderr ?? String(err)}`);
  }
  let disposed = false;
  return {
    hostIf,
    netns,
    hostAddr,
    peerAddr,
    exec(cmd, args, input) {
      return execFileSync("ip", ["netns", "exec", netns, cmd, ...args], { input, encoding: "utf8" });
    },
    [Symbol.dispose]() {
      if (disposed) return;
      disposed = true;
      cleanup();
    },
  };
}
