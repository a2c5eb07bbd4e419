/** Shared bits of the example tools: --duration/--interval parsing and clean Ctrl-C. */

export interface DurationArgs {
  duration: number;
  interval: number;
}

export function parseDurationArgs(argv: readonly string[], defaults: DurationArgs): DurationArgs {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--duration" || flag === "--interval") {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${flag} needs a positive number of seconds`);
      out[flag === "--duration" ? "duration" : "interval"] = v;
    } else if (flag === "--help" || flag === "-h") {
      console.log("options: --duration SECONDS  --interval SECONDS");
      process.exit(0);
    } else {
      throw new Error(`unknown option ${flag}`);
    }
  }
  return out;
}

export interface StopSignal {
  stopped: boolean;
  wake?: () => void;
}

/** Ctrl-C / SIGTERM set `stopped` so the main loop ends and `await using` cleans up. */
export function onStop(): StopSignal {
  const s: StopSignal = { stopped: false };
  const handler = (): void => {
    s.stopped = true;
    s.wake?.();
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
  return s;
}

export function sleepUnlessStopped(ms: number, s: StopSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    s.wake = () => {
      clearTimeout(t);
      resolve();
    };
  });
}
