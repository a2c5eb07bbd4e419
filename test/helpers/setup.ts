// Per-file setup: nothing global yet; kept so suites share one place for hooks.
export {};
