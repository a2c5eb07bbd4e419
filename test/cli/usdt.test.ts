/**
 * `whistler usdt BINARY [FILTER]`: the probes of a binary with the Usdt<...> type of each,
 * their sites and argument specs, as readelf -n shows them; a binary without probes or a
 * filter that matches none is one error line and exit 1.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect, test } from "@jest/globals";

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "dist/cli/main.js");

function whistler(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("lists python3's probes as readelf -n describes them", () => {
  if (!existsSync("/usr/bin/python3")) throw new Error("/usr/bin/python3 is missing: install Debian's python3 (.ci/run does)");
  const python = realpathSync("/usr/bin/python3");
  const r = whistler("usdt", "/usr/bin/python3", "gc__");
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  // The oracle: readelf's own reading of the notes.
  const notes = execFileSync("readelf", ["-n", "--wide", python], { encoding: "utf8" });
  const gcStart = /Name: gc__start\s+Location: 0x([0-9a-f]+).*?Arguments: ([^\n]*)/s.exec(notes)!;
  expect(r.stdout).toContain('Usdt<"/usr/bin/python3:python:gc__start">  1 argument, 1 site');
  expect(r.stdout).toContain(`: ${gcStart[2]!.trim()}`);
  expect(r.stdout).toMatch(/Usdt<"\/usr\/bin\/python3:python:gc__done">/);
  expect(r.stdout).not.toContain("function__entry");
  expect(r.stdout).toMatch(/semaphore at 0x[0-9a-f]+/);
});

test("a binary without probes, and a filter matching none, are errors", () => {
  const none = whistler("usdt", "/bin/true");
  expect(none.status).toBe(1);
  expect(none.stderr).toMatch(/^error: \/bin\/true has no USDT probes \(no .note.stapsdt section\)$/m);
  const unmatched = whistler("usdt", "/usr/bin/python3", "no_such_probe");
  expect(unmatched.status).toBe(1);
  expect(unmatched.stderr).toMatch(/has no USDT probe matching "no_such_probe"/);
});

test("a script in the binary's place (a pyenv shim, say) is an error that says to give the real executable", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "whistler-usdt-"));
  try {
    const shim = path.join(dir, "python3");
    writeFileSync(shim, `#!/bin/sh\n# a wrapper, as version managers install\nexec /usr/bin/python3 "$@"\n`.padEnd(200, "#"));
    chmodSync(shim, 0o755);
    const r = whistler("usdt", shim);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: cannot read the USDT probes of ${shim}: ELF header at offset 0: not an ELF file`);
    expect(r.stderr).toContain("hint: a script or wrapper");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
