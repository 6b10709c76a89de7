// The planner console in a real browser (Debian's Chromium driven by playwright-core), against a processor
// and a gateway started as users start them, with access control on and the test keys. Also the console's
// API over plain HTTP: every answer is checked against /openapi.json.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { keyHeader, TEST_KEYS } from '../support/apiKeys';
import { gatewayApi, waitForReady, type ApiCall } from '../support/gatewayApi';
import { uniqueName } from '../support/names';
import { serviceEnv } from '../support/serviceEnv';
import { duckdbWarehouseEnv, waitForHistory } from '../support/history';
import { freePort, ServiceProcess } from '../support/serviceProcess';

const CHROMIUM = process.env.CAPACITY_CHROMIUM ?? '/usr/bin/chromium';
/** Longest wait for one thing to appear on the page: a command round trip plus the read model. */
const STEP_MS = 20_000;

let base = '';
let call: ApiCall;
let browser: Browser;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CAPACITY_CHROMIUM`,
    );
  const env = await serviceEnv();
  started.push(await env.startProcessor('console-processor'));
  // The pool panel's history comes from the warehouse connector (ADR 12).
  const connector = await ServiceProcess.start('connector', 'console-connector', {
    ...env.processorEnv('console-connector'),
    ...duckdbWarehouseEnv(),
  });
  started.push(connector);
  await waitForReady(`http://127.0.0.1:${connector.metricsPort}/healthz`, connector);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const gateway = await ServiceProcess.start('gateway', 'console-gateway', {
    ...env.processorEnv('console-gateway'),
    CAPACITY_HTTP_PORT: String(port),
    CAPACITY_REQUEST_TIMEOUT_MS: '20000',
    CAPACITY_HISTORY_URL: `http://127.0.0.1:${connector.metricsPort}`,
  });
  started.push(gateway);
  await waitForReady(`${base}/readyz`, gateway);
  call = await gatewayApi(base);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox'],
    timeout: 30_000,
  });
});

afterAll(async () => {
  await browser?.close();
  for (const p of started) if (p.exitCode === undefined) await p.stop();
});

/** A new tab with its own session storage, at the console. */
async function openConsole(): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  await page.goto(`${base}/console`);
  return page;
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.fill('#credential', key);
  await page.click('#login-form button[type=submit]');
}

/** Waits until an element matching `selector` shows `text`; on a timeout, says what the page showed. */
async function textBecomes(page: Page, selector: string, text: RegExp): Promise<void> {
  try {
    await page.locator(selector, { hasText: text }).first().waitFor();
  } catch (error) {
    const shown = await page.locator(selector).allInnerTexts();
    const body = await page.locator('body').innerText();
    throw new Error(
      `${selector} never showed ${text}; it shows ${JSON.stringify(shown)}; the page:\n${body}`,
      {
        cause: error,
      },
    );
  }
}

async function reserve(poolId: string, units = 1): Promise<void> {
  const response = await fetch(`${base}/v1/reservations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...keyHeader('orders') },
    body: JSON.stringify({ poolId, units }),
  });
  expect(response.status).toBe(201);
}

test('a planner defines a week, sees reservations arrive live, changes capacity and closes a pool', async () => {
  const zone = uniqueName('z')
    .replace(/[^A-Za-z0-9_-]/g, '')
    .slice(0, 30);
  const monday = '2030-03-04';
  const firstPool = `${zone}-20300304-0800`;
  const cell = `[data-pool-id="${firstPool}"]`;
  const page = await openConsole();

  await signIn(page, TEST_KEYS.planner);
  await textBecomes(page, '#who', /test-planner/);

  // A week from the template: 7 days x two 2-hour slots, capacity 10.
  await page.fill('#define-form [name=zone]', zone);
  await page.fill('#define-form [name=weekStart]', monday);
  await page.fill('#define-form [name=dayStart]', '08:00');
  await page.fill('#define-form [name=dayEnd]', '12:00');
  await page.fill('#define-form [name=slotMinutes]', '120');
  await page.fill('#define-form [name=capacity]', '10');
  await page.click('#define-form button[type=submit]');
  await textBecomes(page, '.define-status', /Defined all 14 slots/);

  // The form switched the grid to that zone and week.
  await textBecomes(page, '#grid-title', new RegExp(`Zone ${zone}, week of ${monday}`));
  await textBecomes(page, `${cell} .numbers`, /^0 \/ 10$/);
  expect(await page.locator('#grid .cell').count()).toBe(14);
  expect(await page.locator('#grid thead th').allTextContents()).toEqual([
    'Slot (UTC)',
    'Mon 03-04',
    'Tue 03-05',
    'Wed 03-06',
    'Thu 03-07',
    'Fri 03-08',
    'Sat 03-09',
    'Sun 03-10',
  ]);
  await textBecomes(page, '#live', /Live · read model/);

  // A reservation through the API reaches the grid without a reload.
  await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
  await reserve(firstPool);
  await textBecomes(page, `${cell} .numbers`, /^1 \/ 10$/);
  expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
  expect(await page.getAttribute(cell, 'class')).toContain('fill-low');

  // The pool's panel: its numbers and its history from the warehouse.
  await page.click(cell);
  await textBecomes(page, '#panel h2', new RegExp(`^${firstPool}$`));
  await textBecomes(page, '#panel dd[data-field=reserved]', /^1$/);
  await textBecomes(page, '#panel .history', /CapacityReserved/);
  expect(await page.locator('#panel .history').textContent()).toContain('PoolDefined');

  // Change capacity from the console.
  await page.fill('#panel .capacity-form input', '12');
  await page.click('#panel .capacity-form button');
  await textBecomes(page, '#panel .message', new RegExp(`Capacity of ${firstPool} is now 12`));
  await textBecomes(page, `${cell} .numbers`, /^1 \/ 12$/);
  await textBecomes(page, '#panel dd[data-field=capacity]', /^12$/);
  await textBecomes(page, '#panel .history', /CapacityChanged/);

  // Close, after the confirmation.
  await page.click('#panel .close-area button.danger');
  await textBecomes(page, '#panel .confirm', new RegExp(`Close ${firstPool}\\?`));
  await page.click('#panel .confirm button.danger');
  await textBecomes(page, '#panel .message', new RegExp(`${firstPool} is closed`));
  await textBecomes(page, `${cell} .state`, /^closed$/);
  expect(await page.getAttribute(cell, 'class')).toContain('fill-closed');
  await textBecomes(page, '#panel dd[data-field=status]', /^closed$/);

  expect(await page.isDisabled('#panel .capacity-form button')).toBe(true);
  // CAPACITY_CONSOLE_SCREENSHOTS=<folder> keeps a picture of the console for a person to look at.
  const shots = process.env.CAPACITY_CONSOLE_SCREENSHOTS;
  if (shots) await page.screenshot({ path: `${shots}/console-week.png`, fullPage: true });

  // API errors are shown in words: defining the same week again leaves 13 pools as they are, and the
  // closed one refuses its definition.
  await page.click('#define-form button[type=submit]');
  await textBecomes(page, '.define-status', /13 of 14 slots defined; 1 failed/);
  await textBecomes(page, '.define-errors', new RegExp(`${firstPool}: Conflict: .*\\(POOL_CLOSED, 409\\)`));
  await page.context().close();
});

test('a reader key is refused by the console, in words', async () => {
  const page = await openConsole();
  await signIn(page, TEST_KEYS.reader);
  await textBecomes(page, '#login-error', /Sign-in refused/);
  const message = await page.locator('#login-error').textContent();
  expect(message).toContain('FORBIDDEN, 403');
  expect(message).toContain('test-reader (role reader) may not do this: it needs the planner role');
  expect(await page.isHidden('#app')).toBe(true);
  const shots = process.env.CAPACITY_CONSOLE_SCREENSHOTS;
  if (shots) await page.screenshot({ path: `${shots}/console-refused.png` });

  await signIn(page, `${TEST_KEYS.planner}-wrong`);
  await textBecomes(page, '#login-error', /UNAUTHENTICATED, 401/);
  await page.context().close();
});

test('console API: pools in a range include full and closed ones; history; the stream sends a snapshot, then changes', async () => {
  const zone = uniqueName('api').replace(/[^A-Za-z0-9_-]/g, '');
  const define = async (hour: number, capacity: number) => {
    const poolId = `${zone}-${hour}`;
    const created = await call('PUT', `/v1/pools/${poolId}`, '/v1/pools/{poolId}', {
      zone,
      slotStart: `2030-04-01T${String(hour).padStart(2, '0')}:00:00Z`,
      slotEnd: `2030-04-01T${String(hour + 2).padStart(2, '0')}:00:00Z`,
      capacity,
    });
    expect(created.status).toBe(201);
    return poolId;
  };
  const full = await define(8, 1);
  const closed = await define(10, 5);
  const open = await define(12, 5);
  await reserve(full);
  expect((await call('POST', `/v1/pools/${closed}/close`, '/v1/pools/{poolId}/close')).status).toBe(200);
  const range = `zone=${zone}&from=2030-04-01T00:00:00Z&to=2030-04-02T00:00:00Z`;
  const listed = await call('GET', `/v1/pools?${range}`, '/v1/pools');
  expect(listed.status).toBe(200);
  expect(listed.body.pools?.map((p) => [p.poolId, p.status, p.available])).toEqual([
    [full, 'open', 0],
    [closed, 'closed', 5],
    [open, 'open', 5],
  ]);
  const tooLong = await call(
    'GET',
    `/v1/pools?zone=${zone}&from=2030-04-01T00:00:00Z&to=2030-06-01T00:00:00Z`,
    '/v1/pools',
  );
  expect(tooLong).toMatchObject({
    status: 400,
    body: { code: 'INVALID_REQUEST', detail: /query.to: must be at most 31 days/ },
  });

  const history = await waitForHistory(call, full, 2);
  expect((history.events as Array<{ type: string }>).map((e) => e.type)).toEqual([
    'PoolDefined',
    'CapacityReserved',
  ]);

  // The stream: planner only; a reader is refused before anything is streamed.
  const refused = await fetch(`${base}/v1/console/stream?${range}`, { headers: keyHeader('reader') });
  expect(refused.status).toBe(403);
  const abort = new AbortController();
  const stream = await fetch(`${base}/v1/console/stream?${range}`, {
    headers: keyHeader('planner'),
    signal: abort.signal,
  });
  expect(stream.headers.get('content-type')).toContain('text/event-stream');
  const reader = (stream.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const until = async (pattern: RegExp) => {
    const deadline = Date.now() + STEP_MS;
    while (!pattern.test(text)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in the stream:\n${text}`);
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before ${pattern}:\n${text}`);
      text += value;
    }
  };
  await until(/event: snapshot\ndata: .*\n\n/);
  expect(text).toContain(`"poolId":"${closed}"`);
  await reserve(open, 2);
  await until(new RegExp(`event: pool\\ndata: \\{"poolId":"${open}".*"reserved":2`));
  await until(/event: status\ndata: \{"ready":true,"lagRecords":\d+/);
  abort.abort();
});
