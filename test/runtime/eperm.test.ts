import { expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { SETCAP_LINE } from "../../runtime/errors.js";
import { describeKernel } from "../helpers/kernel.js";
import { transpileRuntime } from "./transpile.js";

const countOpens = fileURLToPath(new URL("../fixtures/clang/count_opens.bpf.o", import.meta.url));

const CHILD = `
import { mapCreate } from "./runtime/sys/index.js";
import { load } from "./loader/index.js";
const out = {};
const report = (e) => ({ name: e.name, message: e.message, code: e.code, command: e.command });
try { mapCreate({ type: 1, keySize: 4, valueSize: 8, maxEntries: 1, name: "counts" }); out.map = "created"; }
catch (e) { out.map = report(e); }
try { (await load(process.argv[2]))[Symbol.dispose](); out.load = "loaded"; }
catch (e) { out.load = report(e); }
console.log(JSON.stringify(out));
`;

interface Reported { name: string; message: string; code: string; command: string }

// Root keeps uid 0 under setpriv but loses every capability: bpf(2) must say EPERM and tell
// the user which capability is missing and how to grant it.
describeKernel("missing capabilities", () => {
  test("EPERM names the command, the capability and the setcap line", () => {
    using child = transpileRuntime();
    const script = path.join(child.dir, "child.mjs");
    writeFileSync(script, CHILD);
    const stdout = execFileSync(
      "setpriv",
      ["--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all", process.execPath, script, countOpens],
      { encoding: "utf8", cwd: child.dir },
    );
    const out = JSON.parse(stdout.trim().split("\n").pop()!) as { map: Reported; load: Reported };
    expect(out.map.name).toBe("BpfError");
    expect(out.map.code).toBe("EPERM");
    expect(out.map.command).toBe("BPF_MAP_CREATE");
    expect(out.map.message).toContain('create map "counts": BPF_MAP_CREATE failed: EPERM');
    expect(out.map.message).toContain("CAP_BPF");
    expect(out.map.message).toContain(SETCAP_LINE);
    // Loading a whole object fails at its first kernel object, with the same advice.
    expect(out.load.code).toBe("EPERM");
    expect(out.load.message).toContain("CAP_BPF");
    expect(out.load.message).toContain(SETCAP_LINE);
  });
});
