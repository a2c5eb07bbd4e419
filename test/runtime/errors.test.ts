import { describe, expect, test } from "@jest/globals";
import { BpfError, capabilityHint, ElfError, errnoName, SETCAP_LINE, VerifierError, WhistlerError } from "../../runtime/errors.js";

describe("errors", () => {
  test("errno names", () => {
    expect(errnoName(1)).toBe("EPERM");
    expect(errnoName(2)).toBe("ENOENT");
    expect(errnoName(524)).toBe("ENOTSUPP");
    expect(errnoName(99999)).toBe("errno 99999");
  });

  test("BpfError names errno, command, what, hint", () => {
    const e = new BpfError("BPF_MAP_CREATE", 1, { what: 'create map "counts"', hint: capabilityHint(["CAP_BPF"]) });
    expect(e).toBeInstanceOf(WhistlerError);
    expect(e.code).toBe("EPERM");
    expect(e.command).toBe("BPF_MAP_CREATE");
    expect(e.message).toContain('create map "counts": BPF_MAP_CREATE failed: EPERM (operation not permitted)');
    expect(e.message).toContain("CAP_BPF");
    expect(e.message).toContain(SETCAP_LINE);
    expect(e.name).toBe("BpfError");
  });

  test("VerifierError shows the last 20 lines and keeps the full log", () => {
    const log = Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n") + "\n\0\0garbage";
    const e = new VerifierError("prog", 13, log);
    expect(e).toBeInstanceOf(BpfError);
    expect(e.log).toBe(log);
    expect(e.message).toContain('program "prog" rejected by the verifier: BPF_PROG_LOAD failed: EACCES');
    expect(e.message).toContain("| line 49");
    expect(e.message).toContain("| line 30");
    expect(e.message).not.toContain("| line 29");
    expect(e.message).toContain("30 earlier lines");
    expect(e.message).not.toContain("garbage");
  });

  test("ElfError names section and offset", () => {
    const e = new ElfError(".symtab", 128, "bad");
    expect(e.message).toBe("ELF .symtab at offset 128: bad");
    expect(e.section).toBe(".symtab");
    expect(e.offset).toBe(128);
  });
});
