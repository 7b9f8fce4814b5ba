/**
 * The demo's settings and their URL query form; light (no library code), so the page's own
 * bundle stays small.
 */
import type { NlmeMethod } from '../../src/pharmacometrics/index.ts';

/** Settings of a demo run (from the page's URL query, or a test). */
export interface DemoSettings {
  /** Training epochs (default 400). */
  epochs: number;
  /** Training matrices (default 4000). */
  train: number;
  /** Seed of the data and the initial weights (default 1). */
  seed: number;
  /** The first this many Theophylline subjects (default 12, all). */
  subjects: number;
  /** Estimation method (default FOCEI). */
  method: NlmeMethod;
  /** Threads to use when the page is cross-origin isolated (default 2; one otherwise). */
  threads: number;
  /** Whether to fit the Theophylline model after training (default true; the bench skips it). */
  fit: boolean;
}

/** Defaults of {@link DemoSettings}. */
export const DEMO_DEFAULTS: DemoSettings = {
  epochs: 400,
  train: 4000,
  seed: 1,
  subjects: 12,
  method: 'FOCEI',
  threads: 2,
  fit: true,
};

const METHODS: readonly NlmeMethod[] = ['FOCEI', 'FOCE', 'FO', 'Laplace'];

/**
 * Settings from a URL query (`?epochs=60&train=500&subjects=6&method=FOCE&seed=2&threads=2&fit=yes`); a value out
 * of range or an unknown key is an error naming it.
 */
export function settingsFromQuery(query: string): DemoSettings {
  const params = new URLSearchParams(query);
  const s: DemoSettings = { ...DEMO_DEFAULTS };
  const integer = (key: string, min: number, max: number): number => {
    const text = params.get(key)!;
    const v = Number(text);
    if (!/^\d+$/.test(text) || v < min || v > max)
      throw new Error(`?${key} must be an integer from ${min} to ${max}, got '${text}'`);
    return v;
  };
  for (const key of params.keys()) {
    switch (key) {
      case 'epochs':
        s.epochs = integer(key, 1, 100_000);
        break;
      case 'train':
        s.train = integer(key, 8, 100_000);
        break;
      case 'seed':
        s.seed = integer(key, 0, 2 ** 31 - 1);
        break;
      case 'subjects':
        s.subjects = integer(key, 2, 12);
        break;
      case 'threads':
        s.threads = integer(key, 1, 16);
        break;
      case 'fit': {
        const v = params.get(key)!;
        if (v !== 'yes' && v !== 'no') throw new Error(`?fit must be yes or no, got '${v}'`);
        s.fit = v === 'yes';
        break;
      }
      case 'method': {
        const m = params.get(key)!;
        if (!(METHODS as readonly string[]).includes(m))
          throw new Error(`?method must be one of ${METHODS.join(', ')}, got '${m}'`);
        s.method = m as NlmeMethod;
        break;
      }
      default:
        throw new Error(
          `unknown query parameter '${key}'; valid: epochs, train, seed, subjects, method, threads, fit`,
        );
    }
  }
  return s;
}
