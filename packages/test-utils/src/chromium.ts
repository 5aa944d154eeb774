import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium. We never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Launches headless Debian Chromium with the flags this sandbox needs (no network chatter). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error('chromium is not installed: run `apt-get install -y chromium` (bash .ci/run does)');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
