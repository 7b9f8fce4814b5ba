/**
 * The discontinuities of the reverse pass, as events of the backward solve: at each observation
 * time λ jumps by ∂L/∂u(tₖ); at each forward event the event's pullback maps λ⁺ to λ⁻. At a
 * time holding both, the observation saw the state after the events (it is reversed first),
 * then the events are undone last-applied first.
 */
import type { TimedEvent } from '../options.ts';
import type { EventCrossing } from './forward-pass.ts';

/** What a reverse event does to the backward state. */
export interface ReverseHandlers {
  /** Adds the jump of distinct observation time k. */
  observation(state: Float64Array, k: number): void;
  /** Crosses a forward event backwards. */
  crossing(state: Float64Array, crossing: EventCrossing): void;
}

/** Backward-solve events in processing order (descending time). */
export function reverseEvents(
  observationTimes: Float64Array,
  crossings: readonly EventCrossing[],
  handlers: ReverseHandlers,
): TimedEvent[] {
  const items: { time: number; rank: number; event: TimedEvent }[] = [];
  observationTimes.forEach((time, k) => {
    items.push({
      time,
      rank: -1,
      event: {
        time,
        name: `observation at t = ${time}`,
        apply: (state) => handlers.observation(state, k),
      },
    });
  });
  crossings.forEach((c, i) => {
    items.push({
      time: c.time,
      rank: i,
      event: {
        time: c.time,
        name: `reverse of ${c.event.name ?? `event at t = ${c.time}`}`,
        apply: (state) => handlers.crossing(state, c),
      },
    });
  });
  // Descending time; at equal times the observation first, then events in reverse order.
  items.sort(
    (a, b) => b.time - a.time || (a.rank === -1 ? -1 : b.rank === -1 ? 1 : b.rank - a.rank),
  );
  return items.map((x) => x.event);
}
