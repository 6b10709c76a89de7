// The planner console: sign in with a planner key (or JWT), pick a zone and week, watch the grid change
// live, open a pool to act on it, define a week of slots. Talks only to the gateway's API.
import './style.css';
import { Api } from './api';
import { setUpDefineWeek } from './defineWeek';
import { byId, say } from './dom';
import { WeekGrid } from './grid';
import type { PoolView } from './gridModel';
import { PoolPanel } from './poolPanel';
import { openStream, type StreamState } from './stream';
import { dayStartMs, mondayOf } from './weekTemplate';

const CREDENTIAL = 'capacity.console.credential';
const DAY = 86_400_000;

interface Status {
  readonly ready: boolean;
  readonly lagRecords: number;
  readonly asOf: string;
}

let api: Api | null = null;
let closeStream: (() => void) | null = null;
let grid: WeekGrid | null = null;
let panel: PoolPanel | null = null;

const login = byId<HTMLElement>('login');
const app = byId<HTMLElement>('app');
const loginError = byId<HTMLElement>('login-error');
const viewError = byId<HTMLElement>('view-error');
const live = byId<HTMLElement>('live');
const zoneInput = byId<HTMLInputElement>('zone');
const weekInput = byId<HTMLInputElement>('week');

async function signIn(credential: string): Promise<void> {
  const candidate = new Api(credential);
  try {
    const who = await candidate.request<{ name: string }>('GET', '/v1/console/session');
    sessionStorage.setItem(CREDENTIAL, credential);
    api = candidate;
    byId('who').textContent = `Signed in as ${who.name}`;
    login.hidden = true;
    app.hidden = false;
    byId('sign-out').hidden = false;
    panel = new PoolPanel(byId('panel'), api);
    setUpDefineWeek(byId<HTMLFormElement>('define-form'), api, (zone, weekStart) => {
      zoneInput.value = zone;
      weekInput.value = mondayOf(dayStartMs(weekStart) ?? Date.now());
      showWeek();
    });
    showWeek();
  } catch (error) {
    sessionStorage.removeItem(CREDENTIAL);
    say(loginError, `Sign-in refused. ${(error as Error).message}`);
  }
}

function signOut(): void {
  sessionStorage.removeItem(CREDENTIAL);
  location.hash = '';
  location.reload();
}

function showStatus(status: Status): void {
  const asOf = `${status.asOf.slice(11, 19)} UTC`;
  live.dataset.lag = String(status.lagRecords);
  live.textContent = !status.ready
    ? `Read model loading: ${status.lagRecords} records behind`
    : status.lagRecords > 0
      ? `Live · read model ${status.lagRecords} records behind · as of ${asOf}`
      : `Live · read model up to date (lag 0) · as of ${asOf}`;
  live.className = `live ${status.ready && status.lagRecords === 0 ? 'ok' : 'behind'}`;
}

function showStreamState(state: StreamState): void {
  if (state.kind === 'open') return; // the snapshot's status follows at once
  live.className = 'live behind';
  if (state.kind === 'connecting') live.textContent = 'Connecting to live updates…';
  if (state.kind === 'retrying')
    live.textContent = `Live updates interrupted (${state.reason}); reconnecting in ${Math.round(state.inMs / 1000)} s…`;
  if (state.kind === 'refused') {
    live.textContent = 'No live updates';
    say(viewError, `Live updates refused. ${state.reason}`);
  }
}

function showWeek(): void {
  if (!api) return;
  const zone = zoneInput.value.trim();
  const weekStart = mondayOf(dayStartMs(weekInput.value) ?? Date.now());
  weekInput.value = weekStart;
  if (zone === '') {
    say(viewError, 'Choose a zone to see its week.');
    return;
  }
  say(viewError, '');
  history.replaceState(null, '', `#zone=${encodeURIComponent(zone)}&week=${weekStart}`);
  const from = dayStartMs(weekStart) as number;
  const range = `zone=${encodeURIComponent(zone)}&from=${new Date(from).toISOString()}&to=${new Date(from + 7 * DAY).toISOString()}`;
  byId('grid-title').textContent = `Zone ${zone}, week of ${weekStart}`;
  panel?.hide();
  closeStream?.();
  const current = new WeekGrid(byId('grid'), from, zone, (pool) => panel?.open(pool));
  grid = current;
  // The list answers at once (and says in words what is wrong); the stream then keeps the grid current.
  api
    .request<Status & { pools: PoolView[] }>('GET', `/v1/pools?${range}`)
    .then((page) => {
      if (grid !== current) return;
      current.replaceAll(page.pools);
      showStatus(page);
    })
    .catch((error: Error) => say(viewError, `The week could not be loaded. ${error.message}`));
  closeStream = openStream(`/v1/console/stream?${range}`, sessionStorage.getItem(CREDENTIAL) ?? '', {
    onState: showStreamState,
    onMessage: (message) => {
      if (grid !== current) return;
      const data = JSON.parse(message.data) as Record<string, unknown>;
      if (message.event === 'snapshot') {
        current.replaceAll(data.pools as PoolView[]);
        showStatus(data as unknown as Status);
      } else if (message.event === 'pool') {
        const pool = data as unknown as PoolView;
        if (current.update(pool)) panel?.update(pool);
      } else if (message.event === 'removed') {
        current.remove(String(data.poolId));
      } else if (message.event === 'status') {
        showStatus(data as unknown as Status);
      }
    },
  });
}

byId<HTMLFormElement>('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const credential = byId<HTMLInputElement>('credential').value.trim();
  if (credential === '') say(loginError, 'Enter an API key with the planner role, or a JWT.');
  else void signIn(credential);
});
byId('sign-out').addEventListener('click', signOut);
byId<HTMLFormElement>('view-form').addEventListener('submit', (event) => {
  event.preventDefault();
  showWeek();
});

const fromHash = new URLSearchParams(location.hash.slice(1));
zoneInput.value = fromHash.get('zone') ?? '';
weekInput.value = fromHash.get('week') ?? mondayOf(Date.now());
byId<HTMLInputElement>('define-week-start').value = weekInput.value;
const saved = sessionStorage.getItem(CREDENTIAL);
if (saved) void signIn(saved);
