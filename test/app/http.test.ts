// Request bodies: size cap, content type, malformed JSON and schema errors all become specific 4xx errors.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, handleRouteError } from "@/app/_lib/errors";
import { readJson } from "@/app/_lib/http";

const schema = z.object({ name: z.string().min(1), answers: z.array(z.object({ choiceIds: z.array(z.string()) })) });

function post(body: string, type = "application/json"): Request {
  return new Request("http://localhost/api/x", { method: "POST", headers: { "content-type": type }, body });
}

async function statusOf(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  const response = handleRouteError(error);
  return { status: response.status, body: (await response.json()) as { error: { code: string; message: string; fields: unknown[] } } };
}

describe("readJson", () => {
  it("returns the parsed body when valid", async () => {
    await expect(readJson(post('{"name":"a","answers":[]}'), schema)).resolves.toEqual({ name: "a", answers: [] });
  });

  it("refuses a body over the limit with 413 before parsing it", async () => {
    const { status, body } = await statusOf(readJson(post(JSON.stringify({ name: "x".repeat(5000), answers: [] })), schema, 1024));
    expect(status).toBe(413);
    expect(body.error.code).toBe("payload_too_large");
  });

  it("refuses non-JSON content types with 415", async () => {
    expect((await statusOf(readJson(post("name=a", "application/x-www-form-urlencoded"), schema))).status).toBe(415);
  });

  it("refuses malformed JSON with 400 and the parser's reason", async () => {
    const { status, body } = await statusOf(readJson(post("{"), schema));
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/not valid JSON/);
  });

  it("names each wrong field with its path on a 422", async () => {
    const { status, body } = await statusOf(readJson(post('{"name":5,"answers":[{"choiceIds":"a"}]}'), schema));
    expect(status).toBe(422);
    expect(body.error.fields).toEqual([
      { path: "name", message: expect.stringMatching(/string/) },
      { path: "answers[0].choiceIds", message: expect.stringMatching(/array/) },
    ]);
  });

  it("hides unexpected errors behind a generic 500", async () => {
    const response = handleRouteError(new Error("secret stack detail"));
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).not.toContain("secret");
    expect(new AppError("forbidden", "x").status).toBe(403);
  });
});
