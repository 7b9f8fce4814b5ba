/**
 * The per-epoch history of a training run, bounded: every epoch is kept until the history
 * holds `limit` records; then it is thinned to every 2nd epoch, later every 4th, … (a stride
 * that doubles), always keeping the first epoch, the latest, and the epochs with the lowest
 * training and validation loss. A run of any length so keeps at most `limit` records that
 * still span the whole run (a loss curve drawn from them shows all of it), at O(1) amortised
 * cost per epoch. For every epoch, stream the records with `onEpoch`.
 *
 * What is kept depends only on the records and the stride, so a resumed run (which restores
 * both from its checkpoint) keeps exactly what an uninterrupted run keeps.
 */
import { ScichainError } from '../core/errors.ts';

/** One epoch's record. */
export interface EpochRecord {
  readonly epoch: number;
  /**
   * Training loss: for full-batch training, the loss at θ before the epoch's step; for
   * mini-batches, the batch losses seen during the epoch combined as the loss reduces (a
   * sample-weighted mean for mean losses, the sum for sum losses).
   */
  readonly loss: number;
  /** Validation loss at θ after the epoch (when validation data were given and due). */
  readonly validationLoss?: number;
}

/** Default bound on the records kept (about 1.5 MB). */
export const DEFAULT_HISTORY_LIMIT = 10_000;

/** The smallest bound accepted: room for the pinned records and a useful curve. */
export const MIN_HISTORY_LIMIT = 16;

/** A bounded, thinned history (see the module comment). */
export class EpochHistory {
  readonly limit: number;
  /** Kept records, in epoch order. */
  readonly records: EpochRecord[] = [];
  /** Epochs kept apart from the pinned ones are multiples of this. */
  stride = 1;
  private bestLoss = -1;
  private bestValidation = -1;

  constructor(limit: number = DEFAULT_HISTORY_LIMIT) {
    if (!Number.isSafeInteger(limit) || limit < MIN_HISTORY_LIMIT) {
      throw new ScichainError(
        'InvalidArgument',
        `historyLimit must be an integer ≥ ${MIN_HISTORY_LIMIT}, got ${limit}`,
      );
    }
    this.limit = limit;
  }

  /** Restores records and stride saved from a run with the same limit semantics. */
  load(records: readonly EpochRecord[], stride: number): void {
    this.records.length = 0;
    this.stride = stride;
    this.bestLoss = -1;
    this.bestValidation = -1;
    for (const r of records) {
      this.records.push(r);
      this.noteBest(this.records.length - 1);
    }
    while (this.records.length > this.limit) this.thin();
  }

  /** Adds the record of the epoch just completed. */
  push(record: EpochRecord): void {
    const records = this.records;
    const last = records.length - 1;
    // The previous latest record stays only if something else keeps it.
    if (last > 0 && !this.kept(last, record)) {
      records.pop();
      if (this.bestLoss === last) this.bestLoss = -1;
      if (this.bestValidation === last) this.bestValidation = -1;
    }
    records.push(record);
    this.noteBest(records.length - 1);
    if (records.length > this.limit) this.thin();
  }

  /** Whether record `i` (not the latest once `next` arrives) is kept. */
  private kept(i: number, next: EpochRecord): boolean {
    const r = this.records[i];
    if (i === 0 || r.epoch % this.stride === 0) return true;
    if (i === this.bestLoss && !(next.loss < r.loss)) return true;
    return (
      i === this.bestValidation &&
      !(next.validationLoss !== undefined && next.validationLoss < (r.validationLoss ?? Infinity))
    );
  }

  private noteBest(i: number): void {
    const r = this.records[i];
    if (this.bestLoss < 0 || r.loss < this.records[this.bestLoss].loss) this.bestLoss = i;
    if (
      r.validationLoss !== undefined &&
      (this.bestValidation < 0 ||
        r.validationLoss < (this.records[this.bestValidation].validationLoss ?? Infinity))
    )
      this.bestValidation = i;
  }

  /** Doubles the stride and drops what it no longer keeps. */
  private thin(): void {
    this.stride *= 2;
    const old = this.records;
    const keep: EpochRecord[] = [];
    const bestLoss = old[this.bestLoss];
    const bestValidation = this.bestValidation >= 0 ? old[this.bestValidation] : undefined;
    for (let i = 0; i < old.length; i++) {
      const r = old[i];
      if (
        i === 0 ||
        i === old.length - 1 ||
        r.epoch % this.stride === 0 ||
        r === bestLoss ||
        r === bestValidation
      )
        keep.push(r);
    }
    old.length = 0;
    this.bestLoss = -1;
    this.bestValidation = -1;
    for (const r of keep) {
      old.push(r);
      this.noteBest(old.length - 1);
    }
  }
}
