// The `ica` command: finds subcommands in cli/commands/<name>.ts and dispatches to them.
// Adding a subcommand is one new file there that exports `command: CliCommand`.

import { readdirSync } from "node:fs";
import { UsageError } from "./args";

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface CliCommand {
  name: string;
  /** One line for `ica --help`. */
  summary: string;
  /** Runs with the arguments after the command name; resolves to the exit status. */
  run: (args: string[], io: CliIo) => Promise<number>;
}

const commandsDir = new URL("./commands/", import.meta.url);

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
    .map((file) => file.slice(0, -3))
    .sort();
}

async function loadCommand(name: string): Promise<CliCommand | undefined> {
  if (!commandNames().includes(name)) return undefined;
  const loaded = (await import(new URL(`${name}.ts`, commandsDir).href)) as { command?: CliCommand };
  return loaded.command;
}

async function usage(): Promise<string> {
  const commands = (await Promise.all(commandNames().map(loadCommand))).filter((command): command is CliCommand => command !== undefined);
  const width = Math.max(0, ...commands.map((command) => command.name.length));
  return [
    "ica — hands-on Istio Certified Associate labs",
    "",
    "Usage: ica <command> [arguments]",
    "",
    "Commands:",
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    'Run "ica <command> --help" for more about a command.',
  ].join("\n");
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Runs the CLI with `argv` (without node and the script path); resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(await usage());
    return name === undefined ? 2 : 0;
  }
  const command = await loadCommand(name);
  if (!command) {
    io.err(`ica: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`ica ${name}: ${error.message}\nRun "ica ${name} --help" for usage.`);
      return 2;
    }
    io.err(`ica ${name}: ${(error as Error).message}`);
    return 1;
  }
}
