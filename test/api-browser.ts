import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`), not a browser build of Playwright's. */
const CHROMIUM = '/usr/bin/chromium';

/**
 * Flags that keep the browser from reaching anything but the pages it is
 * sent to: no sync, updates, background fetches or QUIC probes.
 */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  /** Requests to anything but the API's own address, which must stay empty. */
  foreignRequests: string[];
  /** Console errors and uncaught exceptions of every page. */
  pageErrors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, allowed to talk to `origin` only. */
export async function launchBrowser(origin: string): Promise<TestBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('blob:') || url.startsWith('data:')) {
      return route.continue();
    }
    foreignRequests.push(url);
    return route.abort();
  });

  return {
    context,
    foreignRequests,
    pageErrors,
    async newPage() {
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        pageErrors.push(`${message.location().url || page.url()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
