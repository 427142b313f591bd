// Real Chromium for the console tests and the console bench: Debian's /usr/bin/chromium driven
// by playwright-core, WebGL through SwiftShader, no background networking, a fresh profile per
// launch (Playwright's temporary --user-data-dir). Each station gets its own browser context:
// cookies are not separated by port, and both stations live on 127.0.0.1.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser as PwBrowser, Page, Request } from 'playwright-core';

export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-domain-reliability',
];

/** Fails loudly when Chromium is missing: the console tests never skip. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set PARLEY_CHROMIUM); the console browser tests need it`,
    );
}

export interface Browser {
  browser: PwBrowser;
  /** Every URL any page of this browser asked for, in order. */
  requests: string[];
  /** A page in a fresh context (its own cookies and storage). */
  newPage(opts?: { width?: number; height?: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  requireChromium();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  const requests: string[] = [];
  return {
    browser,
    requests,
    async newPage(opts = {}) {
      const context = await browser.newContext({
        viewport: { width: opts.width ?? 1600, height: opts.height ?? 900 },
        locale: 'en-US',
        timezoneId: 'Asia/Shanghai',
      });
      context.on('request', (r: Request) => requests.push(r.url()));
      return context.newPage();
    },
    async close() {
      await browser.close();
    },
  };
}
