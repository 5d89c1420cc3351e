// The browser scenario of issue 11 item 8, in headless Chromium (Debian's
// /usr/bin/chromium) driven by playwright-core, against a running reference server:
//
//   node scenario.mjs <base URL> <user> <password>
//
// 1. a page load of a protected page without a session is redirected (303) to the
//    login page carrying the original path and query in `next`;
// 2. the login page logs in (fetch to /session/login) and goes back to that path;
// 3. the session cookie's flags as Chromium stores them (context.cookies());
// 4. the plain HTML form with the CSRF token in a hidden field is accepted;
// 5. the same form without the token is refused with 403;
// 6. the login page ignores a `next` that is no same-origin path;
// 7. logout (a plain form with the token) clears the cookie, and the page redirects
//    to the login page again.
//
// Prints one JSON object: {"ok": true, "facts": {...}} (what the Rust side asserts)
// or {"ok": false, "error": "..."} with exit status 1.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [base, user, password] = process.argv.slice(2);
if (!base || !user || !password) {
  console.error("usage: node scenario.mjs <base URL> <user> <password>");
  process.exit(2);
}

// The machine's network is closed: without these flags Chromium waits on lookups.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const facts = {};
const profile = mkdtempSync(join(tmpdir(), "portcullis-chromium-"));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
    timeout: 30_000,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());

  // 1. Redirected to the login page with `next`.
  const target = "/pages/notes?tab=mine";
  const landed = await page.goto(base + target);
  const first = landed.request().redirectedFrom();
  check(first, "the protected page was not redirected");
  const redirect = await first.response();
  facts.redirect_status = redirect.status();
  facts.redirect_location = redirect.headers()["location"];
  facts.login_url = page.url().slice(base.length);

  // 2. Log in; the page goes back to the original path.
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(base + target), page.click("#login button")]);
  facts.after_login_url = page.url().slice(base.length);
  facts.welcome = await page.textContent("#welcome");

  // 3. The session cookie as Chromium stores it.
  const cookies = await context.cookies(base);
  const session = cookies.filter((c) => c.name.includes("session"));
  check(session.length === 1, `expected one session cookie, got ${JSON.stringify(cookies.map((c) => c.name))}`);
  const { name, httpOnly, secure, sameSite, path, expires } = session[0];
  facts.cookie = { name, httpOnly, secure, sameSite, path, persistent: expires > Date.now() / 1000 };

  // 4. The form with the token in a hidden field.
  await page.fill("#with-token input[name=note]", "hello from chromium");
  const [saved] = await Promise.all([
    page.waitForResponse((r) => r.url() === base + "/pages/notes" && r.request().method() === "POST"),
    page.click("#with-token button"),
  ]);
  await page.waitForLoadState();
  facts.with_token_status = saved.status();
  facts.saved = await page.textContent("#saved");

  // 5. The same form without the token.
  await page.goto(base + "/pages/notes");
  await page.fill("#without-token input[name=note]", "no token");
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.url() === base + "/pages/notes" && r.request().method() === "POST"),
    page.click("#without-token button"),
  ]);
  await page.waitForLoadState();
  facts.without_token_status = refused.status();
  facts.without_token_code = await page.textContent("#code");

  // 6. No open redirect: the login page keeps only a same-origin `next`.
  facts.next_kept = {};
  for (const next of ["//evil.example/x", "/\\evil.example", "https://evil.example", "/pages/notes?x=1"]) {
    await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
    facts.next_kept[next] = await page.getAttribute("#login", "data-next");
  }

  // 7. Logout through a plain form with the token; the cookie is gone.
  await page.goto(base + "/pages/notes");
  const [logout] = await Promise.all([
    page.waitForResponse((r) => r.url() === base + "/session/logout"),
    page.click("#logout button"),
  ]);
  facts.logout_status = logout.status();
  facts.cookies_after_logout = (await context.cookies(base)).map((c) => c.name);
  await page.goto(base + "/pages/notes");
  facts.after_logout_url = page.url().slice(base.length);

  console.log(JSON.stringify({ ok: true, facts }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error?.stack ?? error), facts }));
  process.exitCode = 1;
} finally {
  await context?.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
