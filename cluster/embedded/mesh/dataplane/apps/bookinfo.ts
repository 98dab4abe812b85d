// Bookinfo's four services as their 1.20.x code behaves: productpage (details once with a 3 s timeout,
// reviews up to twice with 3 s each, login session → end-user header), details, reviews v1/v2/v3 (v1 never
// calls ratings, v2 black stars with a 10 s ratings timeout, v3 red stars with 2.5 s), and ratings.

import { formFields, jsonResponse, pathOnly, response, type HttpRequest, type HttpResponse } from "../http";
import { work, type App, type AppContext, type FetchOutcome } from "./app";
import { renderIndexPage, renderProductPage, type ProductDetails, type ProductReviews } from "./productpage-page";

const PRODUCT = {
  id: 0,
  title: "The Comedy of Errors",
  descriptionHtml:
    '<a href="https://en.wikipedia.org/wiki/The_Comedy_of_Errors">Wikipedia Summary</a>: The Comedy of Errors is one of <b>William Shakespeare\'s</b> early plays. It is his shortest and one of his most farcical comedies, with a major part of the humour coming from slapstick and mistaken identity, in addition to puns and word play.',
};

const REVIEWER1_TEXT = "An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!";
const REVIEWER2_TEXT = "Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.";

/** Headers productpage copies from the incoming request to its upstream calls (tracing, auth, user agent). */
const PRODUCTPAGE_FORWARDED = ["x-request-id", "x-ot-span-context", "x-datadog-trace-id", "x-datadog-parent-id", "x-datadog-sampling-priority", "traceparent", "tracestate", "x-cloud-trace-context", "grpc-trace-bin", "sw8", "user-agent", "cookie", "authorization", "jwt", "x-b3-traceid", "x-b3-sampled", "x-b3-flags"];

/** Headers reviews propagates to ratings. */
const REVIEWS_FORWARDED = ["x-request-id", "x-ot-span-context", "x-datadog-trace-id", "x-datadog-parent-id", "x-datadog-sampling-priority", "traceparent", "tracestate", "x-cloud-trace-context", "grpc-trace-bin", "sw8", "user-agent", "end-user", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags"];

function pick(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

// --- productpage -------------------------------------------------------------------------------------------------

/** Flask's signed session cookie, reduced to what the app needs: the user name round-trips. */
function sessionCookie(user: string, signature: string): string {
  const payload = Buffer.from(JSON.stringify({ user })).toString("base64url");
  return `session=${payload}.${signature}; HttpOnly; Path=/`;
}

function sessionUser(request: HttpRequest): string | undefined {
  const cookies = request.headers.cookie ?? "";
  for (const part of cookies.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name !== "session") continue;
    const payload = rest.join("=").split(".")[0] ?? "";
    const data = parseJson<{ user?: unknown }>(Buffer.from(payload, "base64url").toString("utf8"));
    if (typeof data?.user === "string" && data.user) return data.user;
  }
  return undefined;
}

export class ProductPageApp implements App {
  readonly ports = [9080];

  async handle(request: HttpRequest, context: AppContext): Promise<HttpResponse> {
    const path = pathOnly(request.path);
    const user = sessionUser(request);
    const upstreamHeaders = pick(request.headers, PRODUCTPAGE_FORWARDED);
    if (user) upstreamHeaders["end-user"] = user;

    if (request.method === "POST" && path === "/login") {
      await work(context, 2, 0.5);
      const username = formFields(request.body).get("username") ?? "";
      const target = request.headers.referer ?? "/productpage";
      return response(302, redirectBody(target), { location: target, "content-type": "text/html; charset=utf-8", "set-cookie": sessionCookie(username, context.random.hex(27)) });
    }
    if (path === "/logout") {
      await work(context, 1.5, 0.5);
      const target = request.headers.referer ?? "/productpage";
      return response(302, redirectBody(target), { location: target, "content-type": "text/html; charset=utf-8", "set-cookie": "session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/" });
    }
    if (path === "/health") return response(200, "Product page is healthy", { "content-type": "text/html; charset=utf-8" });
    if (path === "/" || path === "/index.html") {
      await work(context, 2, 0.5);
      return response(200, renderIndexPage(), { "content-type": "text/html; charset=utf-8" });
    }
    if (path === "/metrics") return response(200, "# HELP request_result_total Request result\n# TYPE request_result_total counter\n", { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
    if (path.startsWith("/static/")) return response(200, "/* bookinfo static asset */\n", { "content-type": path.endsWith(".css") ? "text/css; charset=utf-8" : "application/octet-stream" });
    if (path === "/productpage") return this.productPage(context, user, upstreamHeaders);
    if (path === "/api/v1/products") return jsonResponse(200, [PRODUCT]);
    const api = /^\/api\/v1\/products\/([^/]+)(?:\/(reviews|ratings))?$/.exec(path);
    if (api) {
      const productId = api[1] ?? "0";
      await work(context, 2, 0.5);
      if (api[2] === "reviews") {
        const [status, reviews] = await this.productReviews(context, productId, upstreamHeaders);
        return jsonResponse(status, reviews);
      }
      if (api[2] === "ratings") {
        const [status, ratings] = await this.productRatings(context, productId, upstreamHeaders);
        return jsonResponse(status, ratings);
      }
      const [status, details] = await this.productDetails(context, productId, upstreamHeaders);
      return jsonResponse(status, details);
    }
    return response(404, notFoundHtml(), { "content-type": "text/html; charset=utf-8" });
  }

  private async productPage(context: AppContext, user: string | undefined, headers: Record<string, string>): Promise<HttpResponse> {
    await work(context, 3, 1);
    const [detailsStatus, details] = await this.productDetails(context, "0", headers);
    const [reviewsStatus, reviews] = await this.productReviews(context, "0", headers);
    await work(context, 6, 2);
    const html = renderProductPage({ user, product: PRODUCT, detailsStatus, details, reviewsStatus, reviews });
    return response(200, html, { "content-type": "text/html; charset=utf-8" });
  }

  /** One try, `timeout=3.0`. */
  private async productDetails(context: AppContext, productId: string, headers: Record<string, string>): Promise<[number, ProductDetails]> {
    const outcome = await context.fetch(`http://details:9080/details/${productId}`, { headers, timeoutMs: 3000 });
    if (outcome.ok && outcome.response.status === 200) {
      const details = parseJson<ProductDetails>(outcome.response.body);
      if (details) return [200, details];
    }
    const status = outcome.ok ? outcome.response.status : 500;
    return [status, { error: "Sorry, product details are currently unavailable for this book." }];
  }

  /** Two tries with `timeout=3.0` each (the "bug introduced explicitly for illustration in fault injection task"). */
  private async productReviews(context: AppContext, productId: string, headers: Record<string, string>): Promise<[number, ProductReviews]> {
    let last: FetchOutcome | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      last = await context.fetch(`http://reviews:9080/reviews/${productId}`, { headers, timeoutMs: 3000 });
      if (last.ok && last.response.status === 200) {
        const reviews = parseJson<ProductReviews>(last.response.body);
        if (reviews) return [200, reviews];
      }
    }
    const status = last?.ok && last.response.status ? last.response.status : 500;
    return [status, { error: "Sorry, product reviews are currently unavailable for this book." }];
  }

  private async productRatings(context: AppContext, productId: string, headers: Record<string, string>): Promise<[number, unknown]> {
    const outcome = await context.fetch(`http://ratings:9080/ratings/${productId}`, { headers, timeoutMs: 3000 });
    if (outcome.ok && outcome.response.status === 200) {
      const ratings = parseJson<unknown>(outcome.response.body);
      if (ratings !== undefined) return [200, ratings];
    }
    const status = outcome.ok ? outcome.response.status : 500;
    return [status, { error: "Sorry, product ratings are currently unavailable for this book." }];
  }
}

function redirectBody(target: string): string {
  return `<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href="${target}">${target}</a>. If not, click the link.\n`;
}

function notFoundHtml(): string {
  return "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";
}

// --- details -----------------------------------------------------------------------------------------------------

export class DetailsApp implements App {
  readonly ports = [9080];
  /** The JSON answer per product id (it never changes). */
  private readonly bodies = new Map<string, string>();

  async handle(request: HttpRequest, context: AppContext): Promise<HttpResponse> {
    const path = pathOnly(request.path);
    await work(context, 1.2, 0.4);
    if (path === "/health") return jsonResponse(200, { status: "Details is healthy" });
    const match = /^\/details\/([^/]*)$/.exec(path);
    if (!match || request.method !== "GET") return response(404, "", { "content-type": "text/html;charset=utf-8" });
    const id = match[1] ?? "";
    if (!/^-?\d+$/.test(id)) return jsonResponse(400, { error: "please provide numeric product id" });
    let body = this.bodies.get(id);
    if (body === undefined) {
      body = JSON.stringify({ id: Number(id), author: "William Shakespeare", year: 1595, type: "paperback", pages: 200, publisher: "PublisherA", language: "English", "ISBN-10": "1234567890", "ISBN-13": "123-1234567890" });
      this.bodies.set(id, body);
    }
    return response(200, body, { "content-type": "application/json" });
  }
}

// --- reviews -----------------------------------------------------------------------------------------------------

export interface ReviewsVariant {
  ratingsEnabled: boolean;
  starColor: "black" | "red";
}

/** Build arguments per image version (src/docker-bake.hcl). */
export function reviewsVariant(version: string): ReviewsVariant {
  if (version === "v2") return { ratingsEnabled: true, starColor: "black" };
  if (version === "v3") return { ratingsEnabled: true, starColor: "red" };
  return { ratingsEnabled: false, starColor: "black" };
}

export class ReviewsApp implements App {
  readonly ports = [9080];
  /** The ratings body parsed last and its stars (ratings answers the same JSON again and again). */
  private lastRatingsBody: string | undefined;
  private lastStars: [number, number] = [-1, -1];
  /** Response bodies by product id and stars (this instance serves one pod, so the pod name is fixed). */
  private readonly bodies = new Map<string, string>();

  constructor(private readonly variant: ReviewsVariant) {}

  async handle(request: HttpRequest, context: AppContext): Promise<HttpResponse> {
    const path = pathOnly(request.path);
    await work(context, 2.5, 0.8);
    if (path === "/health") return jsonResponse(200, { status: "Reviews is healthy" });
    const match = /^\/reviews\/([^/]*)$/.exec(path);
    if (!match || request.method !== "GET") return response(404, "", { "content-type": "text/html;charset=ISO-8859-1" });
    const productId = match[1] ?? "0";
    let stars: [number, number] | undefined;
    if (this.variant.ratingsEnabled) {
      // Liberty JAX-RS client: connection and receive timeout 10 s for black stars, 2.5 s for red.
      const timeoutMs = this.variant.starColor === "black" ? 10_000 : 2500;
      const outcome = await context.fetch(`http://ratings:9080/ratings/${productId}`, { headers: pick(request.headers, REVIEWS_FORWARDED), timeoutMs });
      stars = outcome.ok && outcome.response.status === 200 ? this.starsIn(outcome.response.body) : [-1, -1];
      await work(context, 0.8, 0.3);
    }
    return response(200, this.body(productId, context.pod.name, stars), { "content-type": "application/json", "x-powered-by": "Servlet/3.1" });
  }

  /** Reviewer1 and Reviewer2 stars from a ratings body (-1: not rated or unreadable). */
  private starsIn(body: string): [number, number] {
    if (body !== this.lastRatingsBody) {
      const parsed = parseJson<{ ratings?: Record<string, number> }>(body);
      this.lastStars = [parsed?.ratings?.Reviewer1 ?? -1, parsed?.ratings?.Reviewer2 ?? -1];
      this.lastRatingsBody = body;
    }
    return this.lastStars;
  }

  /** The JSON reviews answers, in its own formatting (built once per product id and stars). */
  private body(productId: string, podName: string, stars: [number, number] | undefined): string {
    const key = stars ? `${productId}|${stars[0]}|${stars[1]}` : productId;
    let body = this.bodies.get(key);
    if (body === undefined) {
      body = `{"id": "${productId}","podname": "${podName}","clustername": "null","reviews": [${this.review("Reviewer1", REVIEWER1_TEXT, stars?.[0])},${this.review("Reviewer2", REVIEWER2_TEXT, stars?.[1])}]}`;
      if (this.bodies.size >= 1000) this.bodies.clear();
      this.bodies.set(key, body);
    }
    return body;
  }

  /** One review object of the JSON, with its rating when ratings were asked. */
  private review(reviewer: string, text: string, stars: number | undefined): string {
    const ratingPart = this.rating(stars);
    return `{  "reviewer": "${reviewer}",  "text": "${text}"${ratingPart ? `, ${ratingPart}` : ""}}`;
  }

  /** The rating part of a review: stars in this version's color, or the ratings error. */
  private rating(stars: number | undefined): string | undefined {
    if (stars === undefined) return undefined;
    return stars !== -1 ? `"rating": {"stars": ${stars}, "color": "${this.variant.starColor}"}` : `"rating": {"error": "Ratings service is currently unavailable"}`;
  }
}

// --- ratings -----------------------------------------------------------------------------------------------------

export class RatingsApp implements App {
  readonly ports = [9080];
  private readonly userRatings = new Map<string, Record<string, number>>();
  /** The answer for products nobody rated, per product id (it never changes). */
  private readonly defaultBodies = new Map<string, string>();

  async handle(request: HttpRequest, context: AppContext): Promise<HttpResponse> {
    const path = pathOnly(request.path);
    await work(context, 0.9, 0.3);
    if (path === "/health") return jsonResponse(200, { status: "Ratings is healthy" });
    const match = /^\/ratings\/([^/]*)$/.exec(path);
    if (!match) return jsonResponse(404, { error: "invalid request" });
    const id = match[1] ?? "";
    if (!/^\d+$/.test(id)) return jsonResponse(400, { error: "please provide numeric product ID" });
    if (request.method === "POST") {
      const ratings = parseJson<Record<string, number>>(request.body);
      if (!ratings) return jsonResponse(400, { error: "please provide valid ratings JSON" });
      this.userRatings.set(id, ratings);
      return jsonResponse(200, { id: Number(id), ratings });
    }
    const ratings = this.userRatings.get(id);
    if (ratings) return jsonResponse(200, { id: Number(id), ratings });
    let body = this.defaultBodies.get(id);
    if (body === undefined) {
      body = JSON.stringify({ id: Number(id), ratings: { Reviewer1: 5, Reviewer2: 4 } });
      if (this.defaultBodies.size >= 1000) this.defaultBodies.clear();
      this.defaultBodies.set(id, body);
    }
    return response(200, body, { "content-type": "application/json" });
  }
}
