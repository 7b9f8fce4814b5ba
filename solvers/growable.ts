/**
 * Growable float64 storage for solutions (saved states, dense records). Capacity doubles, so
 * appending is amortised O(1); a solve that knows its output size (saveat) sizes it up front.
 */
export class GrowableFloat64 {
  private data: Float64Array;
  /** Number of values stored. */
  length = 0;
  /** Capacity doubling stops here (more is still allocated when asked for). */
  private readonly maxCapacity: number;

  constructor(capacity = 64, maxCapacity = Infinity) {
    this.data = new Float64Array(Math.max(1, Math.min(capacity, maxCapacity)));
    this.maxCapacity = maxCapacity;
  }

  /** Makes room for `extra` more values; returns the offset where they go. */
  reserve(extra: number): number {
    const need = this.length + extra;
    if (need > this.data.length) {
      let capacity = this.data.length * 2;
      while (capacity < need) capacity *= 2;
      capacity = Math.max(need, Math.min(capacity, this.maxCapacity));
      const next = new Float64Array(capacity);
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    const at = this.length;
    this.length = need;
    return at;
  }

  /** Appends one value. */
  push(value: number): void {
    const at = this.reserve(1);
    this.data[at] = value;
  }

  /** Appends the first `count` values of `values`. */
  append(values: Float64Array, count = values.length): void {
    const at = this.reserve(count);
    this.data.set(count === values.length ? values : values.subarray(0, count), at);
  }

  /** The live buffer (valid until the next append that grows it). */
  get buffer(): Float64Array {
    return this.data;
  }

  /** A right-sized copy of the stored values. */
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}
