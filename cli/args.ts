// Command-line flag parsing shared by the `ica` subcommands: declared flags only, clear errors otherwise.

/** A mistake in how the command was invoked; the CLI prints it with the usage and exits with status 2. */
export class UsageError extends Error {}

export interface FlagSpec {
  /** "string" flags take a value (`--port 8080` or `--port=8080`); "list" flags take one each time they are given; "boolean" flags take none. */
  type: "string" | "list" | "boolean";
  description: string;
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[]>;
  positionals: string[];
}

/** Parses `args` against the declared flags; `--help`/`-h` is always accepted. */
export function parseArgs(args: readonly string[], spec: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const flags: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "--") {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (arg === "-h" || arg === "--help") {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = (equals >= 0 ? arg.slice(0, equals) : arg).replace(/^--?/, "");
    const declared = spec[name];
    if (!declared) throw new UsageError(`unknown flag: ${arg.slice(0, equals >= 0 ? equals : undefined)}`);
    if (declared.type === "boolean") {
      if (equals >= 0) throw new UsageError(`flag --${name} does not take a value`);
      flags[name] = true;
      continue;
    }
    const value = equals >= 0 ? arg.slice(equals + 1) : args[++index];
    if (value === undefined || (equals < 0 && value.startsWith("--"))) throw new UsageError(`flag --${name} needs a value`);
    if (declared.type === "list") flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else flags[name] = value;
  }
  return { flags, positionals };
}

/** The "Flags:" block of a usage text. */
export function describeFlags(spec: Readonly<Record<string, FlagSpec>>): string {
  const rows = Object.entries(spec).map(([name, flag]) => [`--${name}${flag.type === "boolean" ? "" : " <value>"}${flag.type === "list" ? "..." : ""}`, flag.description] as const);
  const width = Math.max(...rows.map(([left]) => left.length), "-h, --help".length);
  return [...rows, ["-h, --help", "Show this help"] as const].map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join("\n");
}
