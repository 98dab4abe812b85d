// The HTML productpage renders (Bookinfo 1.20.x Tailwind template): the markers labs and graders look for —
// title, "Book Details", "Book Reviews", filled stars with id "glyphicon glyphicon-star" inside a
// text-<color>-500 wrapper, empty stars, and the exact error texts.

export interface ProductDetails {
  id?: number;
  author?: string;
  year?: number;
  type?: string;
  pages?: number;
  publisher?: string;
  language?: string;
  "ISBN-10"?: string;
  "ISBN-13"?: string;
  error?: string;
}

export interface ReviewRating {
  stars?: number;
  color?: string;
  error?: string;
}

export interface ReviewEntry {
  reviewer: string;
  text: string;
  rating?: ReviewRating;
}

export interface ProductReviews {
  id?: string;
  podname?: string;
  clustername?: string;
  reviews?: ReviewEntry[];
  error?: string;
}

export interface ProductPageModel {
  user?: string;
  product: { title: string; descriptionHtml: string };
  detailsStatus: number;
  details: ProductDetails;
  reviewsStatus: number;
  reviews: ProductReviews;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&#34;").replace(/'/g, "&#39;");
}

const FILLED_STAR =
  '<svg id="glyphicon glyphicon-star" class="h-5 w-5 flex-none" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true"><path fill-rule="evenodd" d="M10 2.5l2.2 4.9 5.3.5-4 3.6 1.2 5.2L10 14l-4.7 2.7 1.2-5.2-4-3.6 5.3-.5z" clip-rule="evenodd" /></svg>';
const EMPTY_STAR =
  '<svg xmlns="http://www.w3.org/2000/svg" fill="none" viewBox="0 0 24 24" stroke-width="1.5" stroke="currentColor" class="h-5 w-5 flex-none"><path stroke-linecap="round" stroke-linejoin="round" d="M12 3.5l2.6 5.6 6.1.5-4.6 4 1.4 6-5.5-3.3-5.5 3.3 1.4-6-4.6-4 6.1-.5z" /></svg>';

function navigation(user: string | undefined): string {
  const account = user
    ? `<div class="ml-4"><p class="text-base font-medium text-gray-50">${escapeHtml(user)}</p><a href="logout" class="text-xs font-medium text-gray-400 hover:text-gray-300">Sign out</a></div>`
    : `<button type="button" id="sign-in-button" class="rounded-md bg-blue-600 px-3.5 py-2.5 text-sm font-semibold text-white">Sign in</button>`;
  return `<nav class="bg-gray-800">
  <div class="container mx-auto px-4 sm:px-6 lg:px-8">
    <div class="relative flex h-16 items-center justify-between">
      <a href="#" class="text-white px-3 py-2 text-lg font-medium" aria-current="page">BookInfo Sample</a>
      <div class="flex items-center pr-2">${account}</div>
    </div>
  </div>
</nav>
<dialog id="dialog" class="w-full sm:w-2/3 lg:w-1/3 border rounded-md shadow-xl">
  <form class="space-y-6" method="post" action='login' name="login_form">
    <label for="username" class="block text-sm font-medium">Username</label>
    <input id="username" name="username" required class="block w-full rounded-md">
    <label for="password" class="block text-sm font-medium">Password</label>
    <input id="password" name="passwd" type="password" required class="block w-full rounded-md">
    <button type="submit" class="rounded-md bg-blue-600 px-3 py-1.5 text-sm font-semibold text-white">Sign in</button>
  </form>
</dialog>`;
}

function detailsSection(model: ProductPageModel): string {
  if (model.detailsStatus === 200) {
    const details = model.details;
    const cell = (value: string | number | undefined): string => `<td class="whitespace-nowrap px-2 py-2 text-sm text-gray-500">${escapeHtml(String(value ?? ""))}</td>`;
    return `<h4 class="text-3xl font-semibold">Book Details</h4>
          <table class="min-w-full divide-y divide-gray-300">
            <thead><tr><th scope="col">ISBN-10</th><th scope="col">Publisher</th><th scope="col">Pages</th><th scope="col">Type</th><th scope="col">Language</th></tr></thead>
            <tbody class="divide-y divide-gray-200 bg-white"><tr>${cell(details["ISBN-10"])}${cell(details.publisher)}${cell(details.pages)}${cell(details.type)}${cell(details.language)}</tr></tbody>
          </table>`;
  }
  const error = model.details.error ? `\n          <p class="text-lg text-gray-600">${escapeHtml(model.details.error)}</p>` : "";
  return `<p class="text-2xl text-red-500">Error fetching product details</p>${error}`;
}

function ratingBlock(rating: ReviewRating | undefined): string {
  if (!rating) return "";
  if (rating.stars) {
    const stars = Math.max(0, Math.min(5, Math.round(rating.stars)));
    const color = escapeHtml(rating.color ?? "black");
    return `<div class="flex gap-x-1 text-${color}-500">
              ${Array.from({ length: stars }, () => FILLED_STAR).join("\n              ")}
              ${Array.from({ length: 5 - stars }, () => EMPTY_STAR).join("\n              ")}
            </div>`;
  }
  if (rating.error) return `<p class="text-red-500">${escapeHtml(rating.error)}</p>`;
  return "";
}

function reviewsSection(model: ProductPageModel): string {
  if (model.reviewsStatus === 200) {
    const reviews = model.reviews;
    const cluster = reviews.clustername && reviews.clustername !== "null" ? `\n                  on cluster <div>${escapeHtml(reviews.clustername)}</div>` : "";
    const items = (reviews.reviews ?? []).map(
      (review) => `<section class="px-6 py-12 sm:py-8 lg:px-8">
          <div class="mx-auto max-w-2xl">
            ${ratingBlock(review.rating)}
            <blockquote class="mt-10 text-xl font-semibold leading-8 tracking-tight text-gray-900">
              <p>"${escapeHtml(review.text)}"</p>
            </blockquote>
            <div class="mt-4 flex items-center gap-x-6">
              <div class="text-sm leading-6">
                <div class="font-semibold text-gray-900">${escapeHtml(review.reviewer)}</div>
                <div class="mt-0.5 text-gray-600 font-mono">Reviews served by: 
                  ${escapeHtml(reviews.podname ?? "")}${cluster}
                </div>
              </div>
            </div>
          </div>
        </section>`,
    );
    return `<h4 class="text-3xl font-semibold">Book Reviews</h4>
      <div class="flex flex-col md:flex-row">
        ${items.join("\n        ")}
      </div>`;
  }
  const error = model.reviews.error ? `\n      <p class="text-lg text-gray-600">${escapeHtml(model.reviews.error)}</p>` : "";
  return `<p class="text-2xl text-red-500">Error fetching product reviews</p>${error}`;
}

export function renderProductPage(model: ProductPageModel): string {
  return `<!DOCTYPE html>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Simple Bookstore App</title>
<script src="static/tailwind/tailwind.css"></script>
${navigation(model.user)}
<div class="container mt-8 mx-auto px-4 sm:px-6 lg:px-8">
  <h1 class="text-5xl font-bold tracking-tight text-blue-900">${escapeHtml(model.product.title)}</h1>
  <div class="mt-6 max-w-4xl">
    <p class="mt-6 text-xl leading-8 text-gray-600">${model.product.descriptionHtml}</p>
  </div>
</div>
<div class="container mt-8 mx-auto px-4 sm:px-6 lg:px-8">
  <div class="mt-4 py-10">
    <div class="max-w-2xl">
      <div class="flow-root">
          ${detailsSection(model)}
      </div>
    </div>
  </div>
</div>
<div class="bg-blue-600/5 py-12 mx-auto">
  <div class="container mx-auto px-4 sm:px-6 lg:px-8">
    <div class="max-w-2xl">
      ${reviewsSection(model)}
    </div>
  </div>
</div>
`;
}

export function renderIndexPage(): string {
  return `<!DOCTYPE html>
<meta charset="utf-8">
<title>Simple Bookstore App</title>
<div class="container mx-auto px-4">
  <h3 class="text-2xl font-semibold">Hello! This is a simple bookstore application consisting of three services as shown below</h3>
  <table class="min-w-full"><tr><th>name</th><td>http://details:9080</td></tr><tr><th>name</th><td>http://reviews:9080</td></tr><tr><th>name</th><td>http://ratings:9080</td></tr></table>
  <p>Click on one of the links below to auto generate a request to the backend as a real user or a tester</p>
  <p><a href="/productpage?u=normal">Normal user</a></p>
  <p><a href="/productpage?u=test">Test user</a></p>
</div>
`;
}
