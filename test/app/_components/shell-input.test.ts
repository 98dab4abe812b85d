// When the web terminal runs what was typed: complete commands at once, heredocs after their delimiter, and lines
// ending in a backslash or inside an open quote wait for more, as bash's "> " prompt does.
import { describe, expect, it } from "vitest";
import { isCompleteScript } from "@/app/_components/shell-input";

describe("isCompleteScript", () => {
  it.each([
    [["kubectl get pods"], true],
    [["kubectl apply -f - <<EOF"], false],
    [["kubectl apply -f - <<EOF", "kind: VirtualService"], false],
    [["kubectl apply -f - <<EOF", "kind: VirtualService", "EOF"], true],
    [["cat <<'END' | kubectl apply -f -", "a: b", "END"], true],
    [["cat <<-END", "\ta: b", "\tEND"], true],
    [["cat <<A; cat <<B", "1", "A", "2"], false],
    [["cat <<A; cat <<B", "1", "A", "2", "B"], true],
    [['echo "<<EOF"'], true],
    [["kubectl get \\"], false],
    [["kubectl get \\", "pods"], true],
    [["kubectl patch vs reviews --type merge -p '{\"spec\":"], false],
    [["kubectl patch vs reviews --type merge -p '{\"spec\":", "{}}'"], true],
    [["echo hi # it's a comment"], true],
  ])("%j → %s", (lines, complete) => {
    expect(isCompleteScript(lines)).toBe(complete);
  });
});
