"use client";
// The web terminal attached to the learner's lab shell: xterm.js with line editing in the browser (history, Ctrl+C,
// Ctrl+L, paste), continuation lines for heredocs, backslashes and open quotes, and each complete script sent to the
// server shell over HTTP. Tab leaves the terminal so keyboard users are never trapped.
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef, type RefObject } from "react";
import { isCompleteScript } from "./shell-input";

export interface LabTerminalHandle {
  /** Types a script at the prompt and runs it, as if the learner had typed it. */
  run(script: string): void;
  focus(): void;
}

export interface ShellOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const PROMPT = "\x1b[1;32mlearner@ica-lab\x1b[0m:\x1b[1;34m~\x1b[0m$ ";
const CONTINUATION = "> ";

function forTerminal(text: string): string {
  return text.replace(/\r?\n/g, "\r\n");
}

export function LabTerminal(props: {
  execute: (script: string) => Promise<ShellOutput>;
  /** Called after every script, to refresh what depends on the cluster. */
  onRan?: () => void;
  /** Receives the handle other parts of the page use to run snippets here. */
  handle: RefObject<LabTerminalHandle | null>;
}) {
    const host = useRef<HTMLDivElement>(null);
    const executeRef = useRef(props.execute);
    const onRanRef = useRef(props.onRan);
    executeRef.current = props.execute;
    onRanRef.current = props.onRan;
    const handle = props.handle;

    useEffect(() => {
      if (!host.current) return;
      const term = new Terminal({
        cursorBlink: true,
        convertEol: false,
        fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
        fontSize: 13,
        scrollback: 5000,
        screenReaderMode: true,
        theme: { background: "#0f172a", foreground: "#e2e8f0", cursor: "#38bdf8" },
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(host.current);
      term.textarea?.setAttribute("aria-label", "Lab terminal: type kubectl, istioctl, curl or fortio commands and press Enter");
      term.textarea?.setAttribute("data-testid", "terminal-input");
      const refit = () => {
        try {
          fit.fit();
        } catch {
          // not laid out yet
        }
      };
      refit();
      const observer = new ResizeObserver(refit);
      observer.observe(host.current);

      const history: string[] = [];
      let historyIndex = 0;
      let lines: string[] = [];
      let line = "";
      let busy = false;
      let queued = "";

      term.attachCustomKeyEventHandler((event) => event.key !== "Tab");
      term.writeln("\x1b[90mYour lab shell: kubectl, istioctl, curl and fortio act on your own cluster. Tab leaves the terminal.\x1b[0m");
      term.write(PROMPT);

      const replaceLine = (text: string) => {
        term.write("\b \b".repeat(line.length));
        line = text;
        term.write(text);
      };

      const runScript = async (script: string) => {
        busy = true;
        try {
          const result = await executeRef.current(script);
          if (result.stdout) term.write(forTerminal(result.stdout.endsWith("\n") ? result.stdout : `${result.stdout}\n`));
          if (result.stderr) term.write(`\x1b[31m${forTerminal(result.stderr.endsWith("\n") ? result.stderr : `${result.stderr}\n`)}\x1b[0m`);
        } catch (error) {
          term.write(`\x1b[31m${forTerminal(`${(error as Error).message}\n`)}\x1b[0m`);
        } finally {
          busy = false;
          term.write(PROMPT);
          onRanRef.current?.();
          const pendingInput = queued;
          queued = "";
          if (pendingInput) handleInput(pendingInput);
        }
      };

      const enter = () => {
        term.write("\r\n");
        lines.push(line);
        line = "";
        if (!isCompleteScript(lines)) {
          term.write(CONTINUATION);
          return;
        }
        const script = lines.join("\n");
        lines = [];
        if (!script.trim()) {
          term.write(PROMPT);
          return;
        }
        if (history[history.length - 1] !== script) history.push(script);
        historyIndex = history.length;
        void runScript(script);
      };

      function handleInput(data: string) {
        for (let i = 0; i < data.length; i++) {
          if (busy) {
            queued += data.slice(i);
            return;
          }
          const c = data[i]!;
          if (c === "\x1b") {
            const seq = data.slice(i, i + 3);
            if (seq === "\x1b[A" || seq === "\x1b[B") {
              if (lines.length === 0 && history.length > 0) {
                historyIndex = Math.max(0, Math.min(history.length, historyIndex + (seq === "\x1b[A" ? -1 : 1)));
                const recalled = history[historyIndex] ?? "";
                replaceLine(recalled.includes("\n") ? recalled.split("\n")[0]! : recalled);
              }
              i += 2;
            } else {
              // other escape sequences (arrows left/right, function keys) are ignored
              const end = /^\x1b\[[0-9;]*[A-Za-z~]/.exec(data.slice(i))?.[0].length ?? 1;
              i += end - 1;
            }
            continue;
          }
          if (c === "\r") {
            if (data[i + 1] === "\n") i++;
            enter();
          } else if (c === "\n") {
            enter();
          } else if (c === "\x7f" || c === "\b") {
            if (line.length > 0) {
              line = line.slice(0, -1);
              term.write("\b \b");
            }
          } else if (c === "\x03") {
            term.write("^C\r\n" + PROMPT);
            line = "";
            lines = [];
          } else if (c === "\x0c") {
            term.clear();
            term.write(`\x1b[2K\r${lines.length ? CONTINUATION : PROMPT}${line}`);
          } else if (c >= " " || c === "\t") {
            line += c;
            term.write(c);
          }
        }
      }

      const subscription = term.onData(handleInput);
      handle.current = {
        run(script: string) {
          const text = script.endsWith("\n") ? script : `${script}\n`;
          if (line) replaceLine("");
          handleInput(text);
          term.focus();
        },
        focus: () => term.focus(),
      };
      return () => {
        subscription.dispose();
        observer.disconnect();
        term.dispose();
        handle.current = null;
      };
    }, [handle]);

    return (
      <section aria-labelledby="terminal-title" className="flex flex-col overflow-hidden rounded-lg border border-slate-700 bg-slate-900 shadow-sm">
        <header className="flex items-center gap-2 border-b border-slate-700 px-4 py-2">
          <h2 id="terminal-title" className="mr-auto font-semibold text-slate-100">Terminal</h2>
          <span className="text-xs text-slate-400">↑/↓ history · Ctrl+C cancel · Ctrl+L clear</span>
        </header>
        <div ref={host} className="h-72 p-2" data-testid="terminal" />
      </section>
    );
}
