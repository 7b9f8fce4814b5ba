/**
 * Whether a subject's records keep one time axis. The reader lets TIME restart at a reset
 * (EVID 3 or 4), as NONMEM does, and keeps the records in data order; the predictors (dose
 * schedules, closed forms, ODE solves) put every record on one time axis instead, where a
 * restarted TIME would land after-reset records among the earlier ones — a silently wrong
 * prediction. They call {@link requireContinuousTime} first.
 */
import { ScichainError } from '../../core/errors.ts';
import type { SubjectRecords } from '../records.ts';

/**
 * Throws `InvalidArgument` naming the subject and the row where TIME goes back (a restart at a
 * reset) in data order; `what` names the caller in the message ("closed-form predictions").
 */
export function requireContinuousTime(subject: SubjectRecords, what: string): void {
  const rows: { row: number; time: number }[] = [];
  for (const d of subject.doses) rows.push({ row: d.row, time: d.time });
  for (const o of subject.observations) rows.push({ row: o.row, time: o.time });
  subject.resets.forEach((time, k) => rows.push({ row: subject.resetRows?.[k] ?? 0, time }));
  // Records built in code (row 0) have no data order to check.
  if (rows.some((r) => !(r.row > 0))) return;
  rows.sort((a, b) => a.row - b.row);
  for (let k = 1; k < rows.length; k++) {
    if (rows[k].time < rows[k - 1].time) {
      throw new ScichainError(
        'InvalidArgument',
        `subject ${subject.id}, row ${rows[k].row}: TIME ${rows[k].time} goes back from TIME ` +
          `${rows[k - 1].time} of row ${rows[k - 1].row} (TIME restarts at a reset); ${what} ` +
          'need one time axis per subject — let TIME continue across the reset',
      );
    }
  }
}
