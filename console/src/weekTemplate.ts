// A week of slots from a template (zone, first day, days, daily hours, slot length, capacity), with the
// deterministic pool ids the console defines them under. Pure: the define form and the unit tests use it.
// Times are UTC, like the rest of the console: pools have no time zone of their own.

export interface WeekTemplate {
  readonly zone: string;
  /** First day, yyyy-mm-dd. */
  readonly weekStart: string;
  readonly days: number;
  /** Daily hours, HH:MM, the first slot starting at dayStart and the last one ending by dayEnd. */
  readonly dayStart: string;
  readonly dayEnd: string;
  readonly slotMinutes: number;
  readonly capacity: number;
}

export interface SlotDefinition {
  readonly poolId: string;
  readonly zone: string;
  readonly slotStart: string;
  readonly slotEnd: string;
  readonly capacity: number;
}

/** Zones the form accepts: pool-id characters, short enough that `<zone>-<yyyymmdd>-<hhmm>` fits 64. */
export const ZONE_PATTERN = /^[A-Za-z0-9_-]{1,50}$/;
export const MAX_CAPACITY = 1_000_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

export class TemplateError extends Error {}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `<zone>-<yyyymmdd>-<hhmm>` of the slot starting at `startMs` (UTC). */
export function poolIdFor(zone: string, startMs: number): string {
  const d = new Date(startMs);
  const day = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  return `${zone}-${day}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
}

/** Minutes after midnight of an HH:MM time, or null when it is not one. */
export function minutesOf(time: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time) ?? (time === '24:00' ? ['', '24', '00'] : null);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** Epoch ms of a yyyy-mm-dd day at 00:00 UTC, or null when it is not a real date. */
export function dayStartMs(day: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day ? null : ms;
}

/** The Monday (UTC) of the week holding `ms`, as yyyy-mm-dd. */
export function mondayOf(ms: number): string {
  const day = Math.floor(ms / DAY) * DAY;
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 ... Sunday 6
  return new Date(day - weekday * DAY).toISOString().slice(0, 10);
}

/** Every slot of the template, day by day and by start time; a TemplateError says what is wrong. */
export function slotsOf(t: WeekTemplate): SlotDefinition[] {
  const zone = t.zone.trim();
  if (!ZONE_PATTERN.test(zone))
    throw new TemplateError(
      "Zone: 1-50 characters of A-Z, a-z, 0-9, '_' or '-' (it becomes part of pool ids).",
    );
  const first = dayStartMs(t.weekStart);
  if (first === null) throw new TemplateError('Week start: a date (yyyy-mm-dd) is needed.');
  if (!Number.isInteger(t.days) || t.days < 1 || t.days > 7) throw new TemplateError('Days: 1 to 7.');
  const open = minutesOf(t.dayStart);
  const close = minutesOf(t.dayEnd);
  if (open === null || close === null) throw new TemplateError('Hours: from and to as HH:MM.');
  if (close <= open) throw new TemplateError('Hours: "to" must be after "from".');
  if (!Number.isInteger(t.slotMinutes) || t.slotMinutes < 15 || t.slotMinutes > 720)
    throw new TemplateError('Slot length: whole minutes, 15 to 720.');
  if (t.slotMinutes > close - open) throw new TemplateError('Slot length: longer than the daily hours.');
  if (!Number.isInteger(t.capacity) || t.capacity < 0 || t.capacity > MAX_CAPACITY)
    throw new TemplateError(`Capacity: a whole number from 0 to ${MAX_CAPACITY}.`);
  const slots: SlotDefinition[] = [];
  for (let day = 0; day < t.days; day++) {
    for (let start = open; start + t.slotMinutes <= close; start += t.slotMinutes) {
      const startMs = first + day * DAY + start * MINUTE;
      const endMs = startMs + t.slotMinutes * MINUTE;
      slots.push({
        poolId: poolIdFor(zone, startMs),
        zone,
        slotStart: new Date(startMs).toISOString(),
        slotEnd: new Date(endMs).toISOString(),
        capacity: t.capacity,
      });
    }
  }
  return slots;
}
