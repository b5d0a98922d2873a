// Time until the dashboard is interactive in Chromium: from the start of
// navigation to the moment the wasm bundle has hydrated the page (the app
// marks <body data-hydrated="true">). Signs in first; prints milliseconds
// for each of a few loads, the first one with an empty cache (in a browser
// that is already running), with the part the server took to answer.
// Usage: node interactive.mjs <base url> <email> <password> [loads]
import { chromium } from '@playwright/test';

const [base, email, password, loads = '5'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
// A reader's browser is already running: warm Chromium itself up with a
// page in a context of its own, whose cache the measured one does not share.
const warmUp = await browser.newContext();
await (await warmUp.newPage()).goto(`${base}/login`, { waitUntil: 'load' });
await warmUp.close();
const context = await browser.newContext();
const signedIn = await context.request.post(`${base}/api/login`, { form: { email, password } });
if (!signedIn.ok()) throw new Error(`sign-in answered ${signedIn.status()}`);
const page = await context.newPage();
const times = [];
for (let i = 0; i < Number(loads); i++) {
  await page.goto(`${base}/`, { waitUntil: 'commit' });
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  // How much of it the server took to answer (the page's first byte).
  times.push(await page.evaluate(() => {
    const [navigation] = performance.getEntriesByType('navigation');
    return `${Math.round(performance.now())} (server ${Math.round(navigation.responseStart)})`;
  }));
}
await browser.close();
console.log(times.join(', '));
