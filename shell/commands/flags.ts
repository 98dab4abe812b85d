// Command-line flags the way kubectl and istioctl (cobra/pflag) read them: `--name value`, `--name=value`,
// `-n value`, `-nvalue`, `-n=value`, bundled booleans (`-it`), repeatable flags, and `--` ending flag parsing.
import { UsageProblem } from "../context";

export interface FlagSpec {
  /** Flags that take a value: long name → canonical name (short letters map the same way). */
  values: Record<string, string>;
  /** Boolean flags: long or short name → canonical name. */
  booleans: Record<string, string>;
}

export interface ParsedFlags {
  values: Map<string, string[]>;
  booleans: Set<string>;
  /** Boolean flags explicitly turned off (`--verbose=false`). */
  negated: Set<string>;
  positionals: string[];
  /** Everything after `--`, untouched. */
  rest: string[] | undefined;
}

export function parseFlags(args: readonly string[], spec: FlagSpec): ParsedFlags {
  const values = new Map<string, string[]>();
  const booleans = new Set<string>();
  const negated = new Set<string>();
  const positionals: string[] = [];
  const setValue = (name: string, value: string): void => {
    values.set(name, [...(values.get(name) ?? []), value]);
  };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "--") return { values, booleans, negated, positionals, rest: args.slice(index + 1) };
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const canonical = spec.values[name];
      if (canonical) {
        const value = eq === -1 ? args[++index] : arg.slice(eq + 1);
        if (value === undefined) throw new UsageProblem(`flag needs an argument: --${name}`);
        setValue(canonical, value);
        continue;
      }
      const flag = spec.booleans[name];
      if (!flag) throw new UsageProblem(`unknown flag: --${name}`);
      const value = eq === -1 ? "true" : arg.slice(eq + 1);
      if (value === "false") {
        booleans.delete(flag);
        negated.add(flag);
      } else booleans.add(flag);
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1 && !/^-\d/.test(arg)) {
      for (let position = 1; position < arg.length; position++) {
        const letter = arg[position] ?? "";
        const canonical = spec.values[letter];
        if (canonical) {
          let value = arg.slice(position + 1);
          if (value.startsWith("=")) value = value.slice(1);
          if (value === "") {
            const next = args[++index];
            if (next === undefined) throw new UsageProblem(`flag needs an argument: '${letter}' in -${letter}`);
            value = next;
          }
          setValue(canonical, value);
          break;
        }
        const flag = spec.booleans[letter];
        if (!flag) throw new UsageProblem(`unknown shorthand flag: '${letter}' in ${arg}`);
        booleans.add(flag);
      }
      continue;
    }
    positionals.push(arg);
  }
  return { values, booleans, negated, positionals, rest: undefined };
}

/** The last value of a flag. */
export function flagValue(flags: ParsedFlags, name: string): string | undefined {
  const list = flags.values.get(name);
  return list?.[list.length - 1];
}

/** Every value of a repeatable flag. */
export function flagValues(flags: ParsedFlags, name: string): string[] {
  return flags.values.get(name) ?? [];
}
