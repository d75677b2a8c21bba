// Tests run outside Next's server bundle; the real 'server-only' package throws there.
export {};
