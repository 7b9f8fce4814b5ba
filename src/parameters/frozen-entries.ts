/**
 * Where optimizers meet the parameter layout. Every θ a layout makes (`initial`, `zeros`,
 * `fromJson`, `loadParameters`, `init` of a whole vector) or adopts (`adopt`) remembers its
 * layout here, so that every optimizer — Adam, gradient descent, L-BFGS, `minimize`, the phased
 * minimiser and the training loops — leaves the blocks the layout declares frozen untouched
 * without being handed a mask. A mask passed explicitly (`frozen: …`) is combined with the
 * layout's by union: an entry is frozen when either says so (to train a block the layout froze,
 * `layout.unfreeze(name)`).
 *
 * This module imports nothing, so optimizers can use it without depending on the layout itself.
 */

/** What a θ's layout tells optimizers: its frozen entries (1 = frozen), or null for none. */
export interface FrozenSource {
  frozenEntries(): Uint8Array | null;
}

const owners = new WeakMap<object, FrozenSource>();

/** Records `source` as the layout of θ (the latest registration wins). */
export function registerTheta(theta: object, source: FrozenSource): void {
  owners.set(theta, source);
}

/**
 * The frozen entries θ's layout declares (null when θ was not made by a layout or nothing in it
 * is frozen). The array is cached by the layout until a block is frozen or unfrozen.
 */
export function layoutFrozen(theta: object): Uint8Array | null {
  return owners.get(theta)?.frozenEntries() ?? null;
}

/**
 * The entries of θ an optimizer must leave alone: the union of an explicit mask and the mask of
 * θ's layout. Returns one of them unchanged when the other is null; the union otherwise, written
 * into `scratch` when it has θ's length (a new array else).
 */
export function effectiveFrozen(
  theta: ArrayLike<number> & object,
  explicit: Uint8Array | null | undefined,
  scratch?: Uint8Array,
): Uint8Array | null {
  const declared = layoutFrozen(theta);
  if (declared === null || declared.length !== theta.length) return explicit ?? null;
  if (explicit === null || explicit === undefined || explicit === declared) return declared;
  const out =
    scratch !== undefined && scratch.length === declared.length
      ? scratch
      : new Uint8Array(declared.length);
  return union(declared, explicit, out);
}

/** declared | explicit, entry by entry, into `out` (explicit may be shorter). */
function union(declared: Uint8Array, explicit: Uint8Array, out: Uint8Array): Uint8Array {
  const n = Math.min(explicit.length, declared.length);
  for (let i = 0; i < declared.length; i++) out[i] = declared[i] | (i < n ? explicit[i] : 0);
  return out;
}

/**
 * {@link effectiveFrozen} for an optimizer that steps many times: the union is written into one
 * array kept between steps (same identity, so masks cached by identity stay cached).
 */
export class FrozenUnion {
  private scratch = new Uint8Array(0);

  /** The frozen entries of θ given the optimizer's explicit mask (see {@link effectiveFrozen}). */
  of(
    theta: ArrayLike<number> & object,
    explicit: Uint8Array | null | undefined,
  ): Uint8Array | null {
    const declared = layoutFrozen(theta);
    if (declared === null || declared.length !== theta.length) return explicit ?? null;
    if (explicit === null || explicit === undefined || explicit === declared) return declared;
    if (this.scratch.length !== declared.length) this.scratch = new Uint8Array(declared.length);
    return union(declared, explicit, this.scratch);
  }
}
