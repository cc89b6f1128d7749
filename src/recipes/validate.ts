// Input validation shared by recipes (workflow code) and the CLI. Pure: no Node built-ins.

/** One bad field: its dotted path, the value seen, what was expected. */
export interface InputProblem {
  field: string;
  value: unknown;
  expected: string;
}

export function describeProblem(p: InputProblem): string {
  const shown = p.value === undefined ? 'nothing' : JSON.stringify(p.value);
  return `${p.field}: expected ${p.expected}, got ${shown}`;
}

/** Collects problems while reading an untrusted object field by field. */
export class InputReader {
  readonly problems: InputProblem[] = [];
  constructor(
    private readonly source: Record<string, unknown>,
    private readonly prefix = '',
  ) {}

  private path(key: string): string {
    return this.prefix ? `${this.prefix}.${key}` : key;
  }

  problem(key: string, value: unknown, expected: string): undefined {
    this.problems.push({ field: this.path(key), value, expected });
    return undefined;
  }

  has(key: string): boolean {
    return this.source[key] !== undefined;
  }

  string(key: string, opts: { required?: boolean; absolutePath?: boolean } = {}): string | undefined {
    const value = this.source[key];
    if (value === undefined)
      return opts.required ? this.problem(key, value, 'a non-empty string') : undefined;
    if (typeof value !== 'string' || value.trim() === '')
      return this.problem(key, value, 'a non-empty string');
    if (opts.absolutePath && !value.startsWith('/')) return this.problem(key, value, 'an absolute path');
    return value;
  }

  number(key: string, opts: { min: number; max: number }): number | undefined {
    const value = this.source[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < opts.min || value > opts.max) {
      return this.problem(key, value, `a number from ${opts.min} to ${opts.max}`);
    }
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.source[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') return this.problem(key, value, 'true or false');
    return value;
  }

  array(key: string): unknown[] | undefined {
    const value = this.source[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return this.problem(key, value, 'an array');
    return value;
  }

  stringMap(key: string): Record<string, string> | undefined {
    const value = this.source[key];
    if (value === undefined) return undefined;
    if (!isRecord(value) || !Object.values(value).every((v) => typeof v === 'string')) {
      return this.problem(key, value, 'an object of string values');
    }
    return value as Record<string, string>;
  }

  object(key: string, opts: { required?: boolean } = {}): InputReader | undefined {
    const value = this.source[key];
    if (value === undefined && !opts.required) return undefined;
    if (!isRecord(value)) return this.problem(key, value, 'an object');
    const child = new InputReader(value, this.path(key));
    child.problems.push = (...items) => this.problems.push(...items);
    return child;
  }

  /** Flags keys that are not in `known` (catches typos such as `taskqueue`). */
  rejectUnknown(known: readonly string[]): void {
    for (const key of Object.keys(this.source)) {
      if (!known.includes(key))
        this.problem(key, this.source[key], `no such field (known: ${known.join(', ')})`);
    }
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
