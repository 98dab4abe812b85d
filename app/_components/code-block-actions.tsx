"use client";
// Brings rendered code blocks to life: Copy puts the snippet on the clipboard; "Run in my lab" sends it to the
// learner's lab shell (or hands it to a callback, such as the workspace terminal) and shows the output under it.
import { useEffect, useRef, type ReactNode } from "react";

type RunKind = "command" | "apply";

/** The script a code block runs: commands as written, whole manifests through `kubectl apply -f -`. */
export function snippetScript(kind: RunKind, code: string): string {
  return kind === "apply" ? `kubectl apply -f - <<'EOF'\n${code.replace(/\n+$/, "")}\nEOF` : code.replace(/\n+$/, "");
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

function flash(button: HTMLButtonElement, text: string): void {
  const original = button.dataset.label ?? button.textContent ?? "";
  button.dataset.label = original;
  button.textContent = text;
  window.setTimeout(() => {
    button.textContent = original;
  }, 1500);
}

function showOutput(block: HTMLElement, text: string, failed: boolean): void {
  const output = block.querySelector<HTMLElement>("[data-output]");
  if (!output) return;
  output.hidden = false;
  output.replaceChildren();
  const pre = document.createElement("pre");
  pre.className = failed ? "failed" : "ok";
  pre.textContent = text || "(no output)";
  output.appendChild(pre);
}

export function CodeBlockActions(props: {
  children: ReactNode;
  /** Lab whose shell receives "Run in my lab" (ignored when onRun is given). */
  labId?: string;
  /** Instead of running on the server, hand the script to the caller (the workspace terminal). */
  onRun?: (script: string) => void;
  className?: string;
}) {
  const root = useRef<HTMLDivElement>(null);
  const { labId, onRun } = props;

  useEffect(() => {
    const container = root.current;
    if (!container) return;
    const onClick = async (event: MouseEvent) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-action]");
      const block = button?.closest<HTMLElement>("[data-code-block]");
      if (!button || !block || !container.contains(block)) return;
      const code = block.querySelector("code")?.textContent ?? "";
      if (button.dataset.action === "copy") {
        flash(button, (await copyText(code)) ? "Copied" : "Copy failed");
        return;
      }
      const kind = block.dataset.run;
      if (button.dataset.action !== "run" || (kind !== "command" && kind !== "apply")) return;
      const script = snippetScript(kind, code);
      if (onRun) {
        onRun(script);
        flash(button, "Sent to terminal");
        return;
      }
      if (!labId) return;
      button.disabled = true;
      button.textContent = "Running…";
      try {
        const response = await fetch(`/api/labs/${labId}/shell`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ script }),
        });
        if (response.status === 401) {
          showOutput(block, `Sign in to run snippets in your own lab: /sign-in?next=${encodeURIComponent(location.pathname)}`, true);
        } else {
          const data = (await response.json()) as { stdout?: string; stderr?: string; exitCode?: number; error?: { message: string } };
          if (data.error) showOutput(block, data.error.message, true);
          else showOutput(block, `$ ${script.split("\n")[0]}${script.includes("\n") ? " …" : ""}\n${data.stdout ?? ""}${data.stderr ?? ""}`, data.exitCode !== 0);
        }
      } catch {
        showOutput(block, "Could not reach the server. Check your connection and try again.", true);
      } finally {
        button.disabled = false;
        button.textContent = "Run in my lab";
      }
    };
    container.addEventListener("click", onClick);
    return () => container.removeEventListener("click", onClick);
  }, [labId, onRun]);

  return (
    <div ref={root} className={props.className}>
      {props.children}
    </div>
  );
}
