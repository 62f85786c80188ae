import { accessSync, constants } from 'node:fs';
import { chromium } from 'playwright';
import { BrowserError } from '../../core/errors.ts';

/** Debian's real binary first: /usr/bin/chromium is a shell wrapper that adds its own flags. */
const SYSTEM_CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** CHROMIUM_PATH, else a Playwright-installed Chromium, else a system Chromium; a clear error when none is there. */
export function locateChromium(configured?: string): string {
  if (configured) {
    if (!executable(configured)) throw new BrowserError('not_found', `CHROMIUM_PATH=${configured} is not an executable file`);
    return configured;
  }
  const candidates = [playwrightChromium(), ...SYSTEM_CANDIDATES].filter((p): p is string => Boolean(p));
  const found = candidates.find(executable);
  if (found) return found;
  throw new BrowserError('not_found',
    'no Chromium found: run "npx playwright install chromium", or install one (Debian: apt-get install chromium), or set CHROMIUM_PATH. Looked in: '
    + candidates.join(', '));
}

function playwrightChromium(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}
