// The "define a week" form: a template becomes one PUT per slot (deterministic pool ids, so submitting
// the same week again changes nothing), a few at a time, with progress and each failed slot in words.
import type { Api } from './api';
import { h, say } from './dom';
import { slotsOf, TemplateError, type SlotDefinition, type WeekTemplate } from './weekTemplate';

/** PUTs in flight at once: fast enough for a week, gentle on a gateway that serves orders too. */
const PARALLEL = 4;

export function setUpDefineWeek(
  form: HTMLFormElement,
  api: Api,
  onDefined: (zone: string, weekStart: string) => void,
): void {
  const status = form.querySelector<HTMLElement>('.define-status') as HTMLElement;
  const progress = form.querySelector<HTMLProgressElement>('progress') as HTMLProgressElement;
  const failures = form.querySelector<HTMLUListElement>('.define-errors') as HTMLUListElement;
  const submit = form.querySelector<HTMLButtonElement>('button[type=submit]') as HTMLButtonElement;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    const template: WeekTemplate = {
      zone: value('zone'),
      weekStart: value('weekStart'),
      days: Number(value('days')),
      dayStart: value('dayStart'),
      dayEnd: value('dayEnd'),
      slotMinutes: Number(value('slotMinutes')),
      capacity: Number(value('capacity')),
    };
    let slots: SlotDefinition[];
    try {
      slots = slotsOf(template);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      say(status, error.message);
      return;
    }
    void defineAll(slots, template);
  });

  async function defineAll(slots: SlotDefinition[], template: WeekTemplate): Promise<void> {
    submit.disabled = true;
    failures.replaceChildren();
    progress.hidden = false;
    progress.max = slots.length;
    progress.value = 0;
    let done = 0;
    let failed = 0;
    const report = () =>
      say(
        status,
        `${done} of ${slots.length} slots defined${failed > 0 ? `, ${failed} failed` : ''}…`,
        failed > 0 ? 'error' : 'info',
      );
    report();
    const queue = [...slots];
    const worker = async () => {
      for (let slot = queue.shift(); slot; slot = queue.shift()) {
        const { poolId, ...body } = slot;
        try {
          await api.request('PUT', `/v1/pools/${encodeURIComponent(poolId)}`, body);
          done += 1;
        } catch (error) {
          failed += 1;
          failures.append(h('li', {}, `${poolId}: ${(error as Error).message}`));
        }
        progress.value = done + failed;
        report();
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, slots.length) }, worker));
    submit.disabled = false;
    say(
      status,
      failed === 0
        ? `Defined all ${slots.length} slots of zone ${slots[0]?.zone} from ${template.weekStart}.`
        : `${done} of ${slots.length} slots defined; ${failed} failed (listed below).`,
      failed === 0 ? 'info' : 'error',
    );
    if (done > 0) onDefined(slots[0]?.zone ?? template.zone, template.weekStart);
  }
}
