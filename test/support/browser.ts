// Debian's Chromium driven by playwright-core, for end-to-end tests of the Temporal UI.
import { chromium, type Browser } from 'playwright-core';

/** Flags without which Chromium keeps trying the network this machine does not reach. */
const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const CHROMIUM = process.env.STEWARD_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: QUIET_FLAGS });
}
