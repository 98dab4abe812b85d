// Deciding when typed terminal lines form a complete command, as bash's prompt does: an open heredoc, a trailing
// backslash or an unclosed quote asks for another line (the "> " prompt).

/** Heredoc delimiters opened on one line (`<<EOF`, `<<'EOF'`, `<<-"END"`), in order, with whether tabs are stripped. */
function heredocsOpenedBy(line: string): { delimiter: string; stripTabs: boolean }[] {
  const opened: { delimiter: string; stripTabs: boolean }[] = [];
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"') i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "\\") i++;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]!))) break;
    else if (c === "<" && line[i + 1] === "<" && line[i + 2] !== "<") {
      const match = /^<<(-?)\s*(?:'([^']+)'|"([^"]+)"|\\?([A-Za-z_][\w-]*))/.exec(line.slice(i));
      if (match) {
        opened.push({ delimiter: match[2] ?? match[3] ?? match[4]!, stripTabs: match[1] === "-" });
        i += match[0].length - 1;
      }
    }
  }
  return opened;
}

/** Whether the line leaves a quote open (outside heredoc bodies). */
function endsInsideQuote(text: string): boolean {
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"') i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "\\") i++;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      const newline = text.indexOf("\n", i);
      if (newline < 0) break;
      i = newline;
    }
  }
  return quote !== null;
}

/** Whether these lines (as typed so far) make a complete script that can be run. */
export function isCompleteScript(lines: readonly string[]): boolean {
  const pending: { delimiter: string; stripTabs: boolean }[] = [];
  const commandText: string[] = [];
  for (const line of lines) {
    if (pending.length > 0) {
      const current = pending[0]!;
      const candidate = current.stripTabs ? line.replace(/^\t+/, "") : line;
      if (candidate === current.delimiter) pending.shift();
      continue;
    }
    commandText.push(line);
    pending.push(...heredocsOpenedBy(line));
  }
  if (pending.length > 0) return false;
  const joined = commandText.join("\n");
  if (/(^|[^\\])\\$/.test(commandText[commandText.length - 1] ?? "")) return false;
  return !endsInsideQuote(joined);
}
