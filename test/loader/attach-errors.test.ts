import { expect, test } from "@jest/globals";
import { attachTracepoint, load } from "../../loader/index.js";
import { tracepointId } from "../../loader/link/index.js";
import { AttachError, WhistlerError } from "../../runtime/errors.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "./fixtures.js";

function caught(f: () => unknown): WhistlerError {
  try {
    f();
  } catch (e) {
    if (e instanceof WhistlerError) return e;
    throw e;
  }
  throw new Error("nothing thrown");
}

describeKernel("attach errors", () => {
  checkNoFdLeaks();

  test("a tracepoint that does not exist: AttachError with where to look", async () => {
    await using obj = await load(fixture("count_opens.bpf.o"));
    const prog = obj.program("count_opens");
    const noGroup = caught(() => attachTracepoint(prog, "no_such_group", "no_such_event"));
    expect(noGroup).toBeInstanceOf(AttachError);
    expect(noGroup.message).toContain('attach program "count_opens": tracepoint no_such_group/no_such_event');
    expect(noGroup.hint).toMatch(/^no tracepoint no_such_group\/no_such_event; see ls \/sys\/kernel(\/debug)?\/tracing\/events\/$/);
    const noEvent = caught(() => attachTracepoint(prog, "syscalls", "sys_enter_no_such_call"));
    expect(noEvent.hint).toMatch(/see ls \/sys\/kernel(\/debug)?\/tracing\/events\/syscalls$/);
    expect(caught(() => attachTracepoint(prog, "../..", "x")).message).toMatch(/not a valid tracepoint name/);
  });

  test("tracefs not mounted: the hint says how to mount it", () => {
    const e = caught(() => tracepointId("syscalls", "sys_enter_openat", ["/nonexistent/tracing"]));
    expect(e.message).toMatch(/tracefs is not mounted/);
    expect(e.hint).toBe("mount it: mount -t tracefs nodev /sys/kernel/tracing");
  });
});
