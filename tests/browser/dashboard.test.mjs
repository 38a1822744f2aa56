// The dashboard in a real browser: Debian's headless Chromium (/usr/bin/chromium)
// driven by playwright-core; Playwright's own browser downloads are never used.
//
// One setup for the whole file, in a temp dir on free loopback ports: `vigil demo`
// (managed ClickHouse, 14 simulated days, ETL, report, alerts replayed over the last
// day), a short full `vigil serve` with the alerts job every 4 seconds so the run
// history has rows, then `vigil serve --dashboard-only`. Every page must load with no
// console error, page error or failed request, and show the numbers this file
// computes on its own with its own SQL straight against ClickHouse. Each page is saved
// as a full-page screenshot (overview.png, metric.png, alerts.png, runs.png, 1400 px
// wide) in $VIGIL_SCREENSHOT_DIR (default $VIGIL_BUILD_DIR/screenshots).
//
// Run: make test-browser  (or VIGIL_BUILD_DIR=build node --test tests/browser/dashboard.test.mjs
// after scripts/setup_browser.sh). VIGIL_CHROMIUM overrides the browser binary.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILD_DIR = path.resolve(ROOT, process.env.VIGIL_BUILD_DIR || 'build');
const VIGIL = path.join(BUILD_DIR, 'vigil');
const SHOT_DIR = path.resolve(ROOT, process.env.VIGIL_SCREENSHOT_DIR || path.join(BUILD_DIR, 'screenshots'));
const CHROMIUM = process.env.VIGIL_CHROMIUM || '/usr/bin/chromium';
const ZONE = 'Europe/Moscow';
// The whole file (setup ~1 min) must end well within this, or everything is torn down.
const WATCHDOG_MS = 10 * 60 * 1000;

// ---------------------------------------------------------------------------------------
// Processes and cleanup: whatever happens (a failed assertion, a hung step, Ctrl-C), the
// servers are stopped and the temp dir is removed.

let tmp = '';              // the temp dir (config, state, logs, browser profile)
let configPath = '';       // vigil.toml of the demo and the dashboard
let chUrl = '';            // the managed ClickHouse
let dashUrl = '';          // the dashboard
let context = null;        // the browser (a persistent context on a fresh profile)
let cleanedUp = false;
const children = new Set();

// This environment without VIGIL_ variables: never a real Telegram token or another config.
function childEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VIGIL_')) env[k] = v;
  return env;
}

// Starts `vigil --config <config> ...args`, stdout/stderr to <tmp>/<name>.out/.err.
function startVigil(config, args, name) {
  const out = fs.openSync(path.join(tmp, `${name}.out`), 'w');
  const err = fs.openSync(path.join(tmp, `${name}.err`), 'w');
  const child = spawn(VIGIL, ['--config', config, ...args], { stdio: ['ignore', out, err], env: childEnv() });
  fs.closeSync(out);
  fs.closeSync(err);
  children.add(child);
  child.name = name;
  child.exited = new Promise((resolve) => {
    child.on('error', (e) => { children.delete(child); resolve({ code: -1, signal: null, error: e }); });
    child.on('exit', (code, signal) => { children.delete(child); resolve({ code, signal }); });
  });
  return child;
}

function logTail(name, lines = 30) {
  try {
    return fs.readFileSync(path.join(tmp, `${name}.err`), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// Resolves with the exit of `child`, or kills it and rejects after `ms`.
async function waitExit(child, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vigil ${child.name} did not end within ${ms / 1000} s:\n${logTail(child.name)}`));
    }, ms);
  });
  try {
    return await Promise.race([child.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runVigil(config, args, name, ms) {
  const child = startVigil(config, args, name);
  const { code, signal, error } = await waitExit(child, ms);
  if (code !== 0) {
    throw new Error(`vigil ${args.join(' ')} failed (${error?.message ?? code ?? signal}):\n${logTail(name)}`);
  }
}

// Stops the dashboard and ClickHouse and removes the temp dir (async, the normal path).
async function cleanup() {
  if (cleanedUp) return;
  if (context) await context.close().catch(() => {});
  for (const child of [...children]) {
    child.kill('SIGTERM');
    await waitExit(child, 15000).catch(() => {});
  }
  cleanupSync();
}

// The same, synchronously: for the watchdog, signals and process exit.
function cleanupSync() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const child of [...children]) child.kill('SIGKILL');
  if (configPath && fs.existsSync(configPath)) {
    const r = spawnSync(VIGIL, ['--config', configPath, 'clickhouse', 'stop'], { env: childEnv(), timeout: 60000, encoding: 'utf8' });
    if (r.status !== 0) process.stderr.write(`browser test: clickhouse stop failed: ${r.stderr || r.error}\n`);
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

setTimeout(() => {
  process.stderr.write(`browser test: watchdog: still running after ${WATCHDOG_MS / 1000} s, tearing down\n`);
  cleanupSync();
  process.exit(1);
}, WATCHDOG_MS).unref();
process.on('exit', cleanupSync);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanupSync();
    process.exit(128 + os.constants.signals[signal]);
  });
}

// ---------------------------------------------------------------------------------------
// Small helpers.

// Free loopback ports (all held open together, so they differ).
async function freePorts(n) {
  const servers = [];
  for (let i = 0; i < n; ++i) {
    const s = net.createServer();
    await new Promise((resolve, reject) => { s.once('error', reject); s.listen(0, '127.0.0.1', resolve); });
    servers.push(s);
  }
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Rows of a query (TSV) against the managed ClickHouse, as arrays of strings.
async function sql(query) {
  const res = await fetch(`${chUrl}/?database=default`, { method: 'POST', body: query });
  const text = await res.text();
  if (!res.ok || /^Code: \d+/m.test(text)) throw new Error(`ClickHouse: ${text.trim()}\nquery: ${query}`);
  return text === '' ? [] : text.replace(/\n$/, '').split('\n').map((line) => line.split('\t'));
}

async function getJson(pathAndQuery) {
  const res = await fetch(dashUrl + pathAndQuery);
  assert.equal(res.status, 200, `GET ${pathAndQuery}`);
  return res.json();
}

// Polls `url` until it answers 200, for at most `ms`.
async function waitHttp(url, ms, child) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child && !children.has(child)) throw new Error(`vigil ${child.name} exited:\n${logTail(child.name)}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return res;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${ms / 1000} s`);
    await sleep(200);
  }
}

// The number formats of the dashboard (chart::format_number, format_percent, format_ratio).
const formatInteger = (x) => String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
const formatPercent = (x, decimals) => `${(x * 100).toFixed(decimals)}%`;
const formatRatio = (x) => x.toFixed(2);
// A bucket's or an alert's value (alert::metric_value_text): CTR with 2 decimals.
const metricText = (metric, x) =>
  x === undefined || !Number.isFinite(x) ? 'no data' : metric === 'ctr' ? formatPercent(x, 2) : formatInteger(x);
const parseInteger = (text) => Number(text.replace(/ /g, ''));

function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// A day in the business zone, in ClickHouse SQL (the source's `time` is a DateTime).
const onDay = (day) => `toDate(time, '${ZONE}') = '${day}'`;

// Each alert metric as our own SQL over its source table.
const METRIC_SQL = {
  feed_users: ['feed_actions', 'uniqExact(user_id)'],
  views: ['feed_actions', "countIf(action = 'view')"],
  likes: ['feed_actions', "countIf(action = 'like')"],
  ctr: ['feed_actions', "countIf(action = 'like') / countIf(action = 'view')"],
  messenger_users: ['message_actions', 'uniqExact(user_id)'],
  messages_sent: ['message_actions', 'count()'],
};

// metric's value per 15-minute bucket of `day`: Map "HHMM" -> number (buckets without events absent).
async function bucketValues(metric, day) {
  const [table, expr] = METRIC_SQL[metric];
  const rows = await sql(
    `SELECT toHour(time, '${ZONE}') AS h, intDiv(toMinute(time, '${ZONE}'), 15) * 15 AS m, ${expr} ` +
      `FROM simulator.${table} WHERE ${onDay(day)} GROUP BY h, m ORDER BY h, m`);
  return new Map(rows.map(([h, m, v]) => [h.padStart(2, '0') + m.padStart(2, '0'), Number(v)]));
}

// Opens a page in a new tab, recording every console error, page error, failed request
// and HTTP error response from then on.
async function openPage(pathAndQuery) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  const response = await page.goto(dashUrl + pathAndQuery, { waitUntil: 'load' });
  assert.equal(response.status(), 200, `GET ${pathAndQuery}`);
  return { page, problems };
}

async function screenshot(page, name) {
  fs.mkdirSync(SHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SHOT_DIR, name), fullPage: true });
}

// Every <img> matching `selector` has loaded a picture.
async function assertImagesLoaded(page, selector, count) {
  const images = await page.$$eval(selector, (imgs) =>
    imgs.map((i) => ({ id: i.id, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight })));
  assert.equal(images.length, count, `${selector}: ${JSON.stringify(images)}`);
  for (const img of images) {
    assert.ok(img.complete && img.width > 0 && img.height > 0, `image #${img.id} did not load: ${JSON.stringify(img)}`);
  }
}

// A table as its header texts (sort arrows dropped), row ids and rendered cell texts.
async function readTable(page, selector) {
  return page.$eval(selector, (table) => ({
    headers: [...table.tHead.rows[0].cells].map((th) => th.innerText.replace(/[▲▼]/g, '').trim()),
    rows: [...table.tBodies[0].rows].map((tr) => ({
      id: tr.id,
      className: tr.className,
      cells: [...tr.cells].map((td) => td.innerText.trim()),
      href: tr.querySelector('a')?.getAttribute('href') ?? null,
    })),
  }));
}

async function visibleText(page, selector) {
  const locator = page.locator(selector);
  assert.equal(await locator.count(), 1, `${selector} on the page`);
  assert.ok(await locator.isVisible(), `${selector} is visible`);
  return (await locator.innerText()).trim();
}

// ---------------------------------------------------------------------------------------
// Setup: demo, a short full serve for the run history, the dashboard, the browser.

let day = '';            // the last simulated day (yesterday in the business zone)
let serveRuns = 0;       // runs the short `vigil serve` says it made

before(async () => {
  assert.ok(fs.existsSync(VIGIL), `${VIGIL} is missing: build first (make build)`);
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/setup.sh (Debian package chromium)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-browser-'));
  const [chPort, webPort] = await freePorts(2);
  chUrl = `http://127.0.0.1:${chPort}`;
  dashUrl = `http://127.0.0.1:${webPort}`;
  const base = `timezone = "${ZONE}"
state_dir = "${tmp}/state"
out_dir = "${tmp}/out"
[clickhouse]
url = "${chUrl}"
[serve]
listen = "127.0.0.1:${webPort}"
`;
  configPath = path.join(tmp, 'vigil.toml');
  fs.writeFileSync(configPath, base);
  await runVigil(configPath, ['demo'], 'demo', 240000);

  // Full serve with only the alerts job, every 4 seconds: a few real runs in runs.sqlite.
  const serveConfig = path.join(tmp, 'serve.toml');
  fs.writeFileSync(serveConfig, `${base}[schedule]\netl = ""\nreport = ""\nalerts = "*/4 * * * * *"\n`);
  const serve = startVigil(serveConfig, ['serve'], 'serve');
  await waitHttp(`${dashUrl}/health`, 20000, serve);
  const deadline = Date.now() + 30000;
  for (;;) {
    const { runs } = await (await fetch(`${dashUrl}/api/runs`)).json();
    if (runs.filter((r) => r.status === 'ok').length >= 3) break;
    assert.ok(Date.now() < deadline, `vigil serve made ${runs.length} run(s) in 30 s:\n${logTail('serve')}`);
    await sleep(500);
  }
  serve.kill('SIGTERM');
  const { code } = await waitExit(serve, 20000);
  assert.equal(code, 0, `vigil serve exit on SIGTERM:\n${logTail('serve')}`);
  const stopped = /stopped after (\d+) run\(s\)/.exec(fs.readFileSync(path.join(tmp, 'serve.err'), 'utf8'));
  assert.ok(stopped, `serve log says how many runs:\n${logTail('serve')}`);
  serveRuns = Number(stopped[1]);

  const dashboard = startVigil(configPath, ['serve', '--dashboard-only'], 'dashboard');
  await waitHttp(`${dashUrl}/overview`, 20000, dashboard);

  // The last simulated day, from the source table itself.
  [[day]] = await sql(`SELECT toString(max(toDate(time, '${ZONE}'))) FROM simulator.feed_actions`);
  assert.match(day, /^\d{4}-\d{2}-\d{2}$/);

  context = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    // Playwright passes --user-data-dir itself (the fresh profile above).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
}, { timeout: 360000 });

after(cleanup, { timeout: 120000 });

// ---------------------------------------------------------------------------------------
// The pages.

test('overview: tiles, charts, slice table (sorting) and its CSV', { timeout: 120000 }, async () => {
  const { page, problems } = await openPage(`/overview?date=${day}`);

  // The tiles: the report's metrics of the day, from our own SQL.
  const [[feedUsers, views, likes]] = await sql(
    `SELECT uniqExact(user_id), countIf(action = 'view'), countIf(action = 'like') FROM simulator.feed_actions WHERE ${onDay(day)}`);
  const [[senders, sent, receivers]] = await sql(
    `SELECT uniqExact(user_id), count(), uniqExact(receiver_id) FROM simulator.message_actions WHERE ${onDay(day)}`);
  assert.ok(Number(views) > 1000, `views on ${day}: ${views}`);
  const tiles = {
    feed_users: formatInteger(Number(feedUsers)),
    views: formatInteger(Number(views)),
    likes: formatInteger(Number(likes)),
    ctr: formatPercent(Number(likes) / Number(views), 2),
    messenger_users: formatInteger(Number(senders)),
    messages_sent: formatInteger(Number(sent)),
    sent_received_ratio: formatRatio(Number(senders) / Number(receivers)),
  };
  for (const [name, text] of Object.entries(tiles)) {
    assert.equal(await visibleText(page, `#metric-${name} .value`), text, `tile ${name}`);
  }
  await assertImagesLoaded(page, 'img.chart', 4);
  for (const id of ['chart-feed-7', 'chart-messenger-7', 'chart-feed-30', 'chart-messenger-30']) {
    assert.equal(await page.locator(`img#${id}`).count(), 1, `img#${id}`);
  }

  // The slice table: views and likes per os / gender / age bucket from the raw events.
  const age = "multiIf(age < 18, '0-17', age < 25, '18-24', age < 35, '25-34', age < 45, '35-44', '45+')";
  const expected = new Map();
  for (const [dimension, expr] of [['os', 'os'], ['gender', 'toString(gender)'], ['age', age]]) {
    const rows = await sql(
      `SELECT ${expr} AS v, countIf(action = 'view'), countIf(action = 'like') FROM simulator.feed_actions ` +
        `WHERE ${onDay(day)} GROUP BY v`);
    for (const [value, v, l] of rows) expected.set(`${dimension}/${value}`, { views: Number(v), likes: Number(l) });
  }
  const table = await readTable(page, 'table#slices');
  assert.ok(await page.locator('table#slices').isVisible());
  const viewsCol = table.headers.indexOf('views');
  const likesCol = table.headers.indexOf('likes');
  assert.ok(viewsCol >= 2 && likesCol >= 2, `slice table columns: ${table.headers}`);
  assert.deepEqual(table.rows.map((r) => `${r.cells[0]}/${r.cells[1]}`).sort(), [...expected.keys()].sort(),
    'slice rows = os, gender and age values of the day');
  for (const row of table.rows) {
    const want = expected.get(`${row.cells[0]}/${row.cells[1]}`);
    assert.equal(row.cells[viewsCol], formatInteger(want.views), `views of ${row.cells[0]}=${row.cells[1]}`);
    assert.equal(row.cells[likesCol], formatInteger(want.likes), `likes of ${row.cells[0]}=${row.cells[1]}`);
  }
  await screenshot(page, 'overview.png');

  // Sorting: a click on "views" sorts ascending, a second click descending (server-side).
  const asText = (t) => JSON.stringify(t.rows.map((r) => r.cells).sort());
  for (const [order, arrow] of [['asc', '▲'], ['desc', '▼']]) {
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('sort') === 'views' && url.searchParams.get('order') === order),
      page.locator('table#slices thead th a', { hasText: /^views/ }).click(),
    ]);
    await page.waitForLoadState('load');
    const sorted = await readTable(page, 'table#slices');
    const numbers = sorted.rows.map((r) => parseInteger(r.cells[viewsCol]));
    const want = [...numbers].sort((a, b) => (order === 'asc' ? a - b : b - a));
    assert.deepEqual(numbers, want, `views column after sorting ${order}`);
    assert.equal(asText(sorted), asText(table), 'sorting keeps the rows');
    assert.match(await page.locator('table#slices thead th', { hasText: /^views/ }).innerText(), new RegExp(arrow));
  }

  // The CSV link downloads the same rows (raw integers).
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a#csv').click()]);
  assert.equal(download.suggestedFilename(), `vigil-slices-${day}.csv`);
  const csvPath = path.join(tmp, 'slices.csv');
  await download.saveAs(csvPath);
  const lines = fs.readFileSync(csvPath, 'utf8').split('\r\n').filter((l) => l !== '');
  const header = lines[0].split(',');
  assert.deepEqual(header, ['event_date', ...table.headers], 'CSV header = table columns');
  const csvRows = lines.slice(1).map((l) => l.split(','));
  assert.equal(csvRows.length, table.rows.length, 'CSV rows');
  for (const row of csvRows) {
    assert.equal(row[0], day);
    const shown = table.rows.find((r) => r.cells[0] === row[1] && r.cells[1] === row[2]);
    assert.ok(shown, `CSV row ${row[1]}=${row[2]} is in the table`);
    assert.deepEqual(row.slice(3).map(Number), shown.cells.slice(2).map(parseInteger), `CSV row ${row[1]}=${row[2]}`);
    assert.equal(Number(row[header.indexOf('views')]), expected.get(`${row[1]}/${row[2]}`).views);
  }

  assert.deepEqual(problems, []);
  await page.close();
});

// The newest fired alert of the day (the demo replays the last day's alerts), if any.
async function firedAlert() {
  const { alerts } = await getJson(`/api/alerts?from=${day}&to=${day}&action=fire`);
  return alerts[0];
}

test('metric: chart, alerts of the day and every 15-minute bucket', { timeout: 120000 }, async () => {
  const alert = await firedAlert();
  const metric = alert?.metric ?? 'views';
  const time = alert ? alert.bucket.slice(11, 16) : '12:00';
  const { page, problems } = await openPage(`/metric?metric=${metric}&date=${day}&time=${time}`);
  await assertImagesLoaded(page, 'img#chart-metric', 1);

  const values = await bucketValues(metric, day);
  const buckets = await readTable(page, 'table#buckets');
  assert.equal(buckets.rows.length, 96, 'a day of 15-minute buckets');
  for (const [i, row] of buckets.rows.entries()) {
    const hhmm = `${String(Math.floor(i / 4)).padStart(2, '0')}${String((i % 4) * 15).padStart(2, '0')}`;
    assert.equal(row.id, `t-${hhmm}`);
    // A bucket without events: 0 for counts, no CTR.
    const want = values.get(hhmm) ?? (metric === 'ctr' ? NaN : 0);
    assert.equal(row.cells[1], metricText(metric, want), `${metric} at ${hhmm}`);
  }
  const marked = buckets.rows.filter((r) => r.className.split(' ').includes('marked'));
  assert.deepEqual(marked.map((r) => r.id), [`t-${time.replace(':', '')}`], 'the bucket of `time` is marked');
  assert.ok(await page.locator(`tr#t-${time.replace(':', '')}.marked`).isVisible());

  if (alert) {
    const alertsTable = await readTable(page, 'table#alerts');
    assert.ok(alertsTable.rows.some((r) => r.cells[0] === alert.bucket && r.cells[3] === 'fire'),
      `the fired alert at ${alert.bucket} is listed: ${JSON.stringify(alertsTable.rows)}`);
    assert.equal(buckets.rows.find((r) => r.id === `t-${time.replace(':', '')}`).cells[6], 'anomaly');
  } else {
    assert.ok(await page.locator('#alerts').isVisible());
  }
  await screenshot(page, 'metric.png');
  assert.deepEqual(problems, []);
  await page.close();
});

test('alerts: the history matches /api/alerts, a bucket link opens the metric page', { timeout: 120000 }, async () => {
  const from = addDays(day, -6);
  const to = addDays(day, 1);  // today: the short serve may have checked buckets of today
  const { alerts } = await getJson(`/api/alerts?from=${from}&to=${to}`);
  assert.ok(alerts.length >= 1, 'the demo replays alerts over the last simulated day');
  const { page, problems } = await openPage(`/alerts?from=${from}&to=${to}`);
  const history = await readTable(page, 'table#alert-history');
  assert.ok(await page.locator('table#alert-history').isVisible());
  assert.equal(history.rows.length, alerts.length, 'one row per alert in /api/alerts');
  assert.match(await page.locator('main').innerText(), new RegExp(`\\b${alerts.length} message\\(s\\)`));
  for (const [i, row] of history.rows.entries()) {
    const a = alerts[i];
    assert.equal(row.cells[0], a.bucket, `row ${i} bucket`);
    assert.equal(row.cells[2], a.slice === '' ? 'all users' : a.slice);
    assert.equal(row.cells[3], a.action);
    assert.equal(row.href, a.url);
    if (a.bucket.slice(0, 10) <= day) {
      // The value in the row is the metric in that bucket, from our own SQL.
      const values = await bucketValues(a.metric, a.bucket.slice(0, 10));
      const hhmm = a.bucket.slice(11, 16).replace(':', '');
      assert.equal(row.cells[4], metricText(a.metric, values.get(hhmm) ?? (a.metric === 'ctr' ? NaN : 0)),
        `value of the ${a.action} alert at ${a.bucket}`);
    }
  }
  await screenshot(page, 'alerts.png');

  // The newest alert's bucket link lands on the metric page with that bucket marked.
  const first = alerts[0];
  const hhmm = first.bucket.slice(11, 16).replace(':', '');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/metric'),
    page.locator('table#alert-history tbody tr').first().locator('a').click(),
  ]);
  await page.waitForLoadState('load');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('metric'), first.metric);
  assert.equal(`${url.searchParams.get('date')} ${url.searchParams.get('time')}`, first.bucket);
  const marked = await page.$$eval('table#buckets tr.marked', (trs) => trs.map((tr) => tr.id));
  assert.deepEqual(marked, [`t-${hhmm}`], 'the alert bucket is highlighted');
  assert.ok(await page.locator(`tr#t-${hhmm}.marked`).isVisible());
  await assertImagesLoaded(page, 'img#chart-metric', 1);
  const onMetric = await readTable(page, 'table#alerts');
  assert.ok(onMetric.rows.some((r) => r.cells[0] === first.bucket && r.cells[3] === first.action),
    `the metric page lists the alert at ${first.bucket}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('runs: the run history of the short vigil serve', { timeout: 60000 }, async () => {
  const { runs } = await getJson('/api/runs');
  assert.ok(serveRuns >= 3, `vigil serve made ${serveRuns} runs`);
  assert.equal(runs.length, serveRuns, '/api/runs lists every run vigil serve logged');
  const { page, problems } = await openPage('/runs');
  const table = await readTable(page, 'table#runs');
  assert.ok(await page.locator('table#runs').isVisible());
  assert.equal(table.rows.length, runs.length);
  for (const [i, row] of table.rows.entries()) {
    const r = runs[i];
    assert.deepEqual([row.cells[0], row.cells[1], row.cells[2], row.cells[3], row.cells[5]],
      [String(r.id), r.job, r.target, r.status, r.started], `run row ${i}`);
    assert.equal(r.job, 'alerts');
    assert.equal(r.status, 'ok');
    assert.match(row.cells[6], /^\d+\.\d s$/);
    assert.match(row.cells[7], /checked/);
  }
  assert.deepEqual(table.rows.map((r) => Number(r.cells[0])), runs.map((r) => r.id).sort((a, b) => b - a),
    'newest first');
  await screenshot(page, 'runs.png');
  assert.deepEqual(problems, []);
  await page.close();
});
