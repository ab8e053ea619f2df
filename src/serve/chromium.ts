/**
 * How the tests and the serve bench start Debian's Chromium headless: without the background
 * networking that this machine's closed network refuses, many connections at a time.
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
